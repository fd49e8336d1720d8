// Parsing a migration file is pure: name + text in, a Migration (sections, directives, checksum) out.
//
//   -- migrate:no-transaction          (optional; CREATE INDEX CONCURRENTLY, ALTER TYPE … ADD VALUE)
//   -- migrate:lock-timeout 10s        (optional; overrides the runner's default)
//   -- migrate:statement-timeout 30min (optional)
//   -- migrate:up
//   …SQL…
//   -- migrate:down
//   …SQL that undoes it…
import { EngineError } from "./errors";
import { createHash } from "node:crypto";
import { Statement, splitSql } from "./sql-split";

export const MIGRATION_NAME = /^(\d{3,})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;

export interface Migration {
  readonly name: string;
  readonly version: number;
  /** sha256 hex of the normalized header + up section: editing the down section later is allowed. */
  readonly checksum: string;
  readonly up: string;
  /** 1-based line in the file where the up section's SQL begins, to report errors against the file. */
  readonly upLine: number;
  readonly down?: string;
  readonly downLine?: number;
  readonly transaction: boolean;
  readonly lockTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
}

export class MigrationFileError extends EngineError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super("MigrationFileError", `Invalid migration file ${file}${line ? ` (line ${line})` : ""}: ${reason}`);
  }
}

/** Strips a UTF-8 BOM and turns CRLF / CR into LF, so a checkout on another OS has the same checksum. */
function normalize(text: string): string {
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function parseDuration(raw: string): number | undefined {
  const match = /^(\d+)(ms|s|min|h)$/.exec(raw.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "min" | "h"];
  return Number(match[1]) * unit;
}

export function parseMigration(name: string, text: string): Migration {
  const match = MIGRATION_NAME.exec(name);
  if (!match) {
    throw new MigrationFileError(
      name,
      undefined,
      "the name must look like 001_create_users.sql (3+ digits, _, lower-case words)",
    );
  }
  const lines = normalize(text).split("\n");
  let transaction = true;
  let lockTimeoutMs: number | undefined;
  let statementTimeoutMs: number | undefined;
  let upAt = -1;
  let downAt = -1;
  lines.forEach((line, index) => {
    const directive = /^--\s*migrate:([a-z-]+)\s*(.*?)\s*$/.exec(line);
    if (!directive) return;
    const [, key, value] = directive;
    const where = index + 1;
    const header = upAt < 0;
    if (key === "up" && upAt < 0) upAt = index;
    else if (key === "down" && downAt < 0 && upAt >= 0) downAt = index;
    else if (key === "no-transaction" && header) transaction = false;
    else if ((key === "lock-timeout" || key === "statement-timeout") && header) {
      const ms = parseDuration(value);
      if (ms === undefined || ms <= 0) {
        throw new MigrationFileError(
          name,
          where,
          `"-- migrate:${key} ${value}" needs a duration such as 500ms, 5s, 10min`,
        );
      }
      if (key === "lock-timeout") lockTimeoutMs = ms;
      else statementTimeoutMs = ms;
    } else {
      throw new MigrationFileError(
        name,
        where,
        `unexpected directive "-- migrate:${key}"; allowed: no-transaction, lock-timeout, statement-timeout ` +
          "(before -- migrate:up), then up, then down, once each",
      );
    }
  });
  const upStart = upAt < 0 ? 0 : upAt + 1;
  const upEnd = downAt < 0 ? lines.length : downAt;
  const up = lines.slice(upStart, upEnd).join("\n");
  const down = downAt < 0 ? undefined : lines.slice(downAt + 1).join("\n");
  const migration: Migration = {
    name,
    version: Number(match[1]),
    checksum: sha256(lines.slice(0, upEnd).join("\n").trimEnd()),
    up,
    upLine: upStart + 1,
    down:
      down !== undefined && statementsOf({ name, sql: down, firstLine: downAt + 2 }).length > 0
        ? down
        : undefined,
    downLine: downAt < 0 ? undefined : downAt + 2,
    transaction,
    lockTimeoutMs,
    statementTimeoutMs,
  };
  const upStatements = statementsOf({ name, sql: up, firstLine: upStart + 1 });
  if (upStatements.length === 0)
    throw new MigrationFileError(name, upStart + 1, "the up section has no SQL statement");
  if (transaction) {
    const control = upStatements.find((s) =>
      /^(begin|commit|rollback|start\s+transaction|end)\b/i.test(s.text),
    );
    if (control) {
      throw new MigrationFileError(
        name,
        control.line,
        `"${control.text.split("\n")[0]}" controls the transaction the runner already opened; remove it, or mark ` +
          "the file -- migrate:no-transaction",
      );
    }
  }
  return migration;
}

/** Statements of one section with line numbers relative to the whole file. */
export function statementsOf(section: { name: string; sql: string; firstLine: number }): Statement[] {
  try {
    return splitSql(section.sql).map((s) => ({ text: s.text, line: s.line + section.firstLine - 1 }));
  } catch (err) {
    const line = (err as { line?: number }).line;
    throw new MigrationFileError(
      section.name,
      line ? line + section.firstLine - 1 : undefined,
      (err as Error).message,
    );
  }
}
