// Parsing a migration file is pure: name + text (or bytes) in, a Migration (sections, statements, checksum)
// out.
//
//   -- migrate:no-transaction          (optional; CREATE INDEX CONCURRENTLY, ALTER TYPE … ADD VALUE)
//   -- migrate:lock-timeout 10s        (optional; overrides the runner's default)
//   -- migrate:statement-timeout 30min (optional)
//   -- migrate:allow <rule> <reason>   (optional, once per rule; opts out of a lint rule, see lint/rules.ts)
//   -- migrate:up                      (required, exactly once)
//   …SQL…
//   -- migrate:down                    (optional)
//   …SQL that undoes it…
//
// Directives are exact: each is a whole `--` comment line at column 0, written as above. Any other comment
// that looks like one (indented, another case, a space after the colon) is refused rather than read as a
// comment, because guessing wrong runs the down section during `up`.
import { createHash } from "node:crypto";
import { Statement, SqlSyntaxError, splitSql } from "./sql-statements";
import { LINT_RULE_NAMES } from "./lint/rules";
import { decodeUtf8 } from "./utf8";

export const MIGRATION_NAME = /^(\d{3,})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;

export interface Migration {
  readonly name: string;
  /** The file's text as read: a parsed Migration is itself a valid MigrationSource. */
  readonly sql: string;
  readonly version: number;
  /** sha256 hex of the normalized header + up section: editing the down section later is allowed. */
  readonly checksum: string;
  readonly up: string;
  /** 1-based line in the file where the up section's SQL begins, to report errors against the file. */
  readonly upLine: number;
  readonly down?: string;
  readonly downLine?: number;
  /** Statements with lines and offsets relative to the whole file. */
  readonly upStatements: readonly Statement[];
  readonly downStatements: readonly Statement[];
  readonly transaction: boolean;
  readonly lockTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  /** `-- migrate:allow <rule> <reason>` lines: the lint rules this file opts out of, and why. */
  readonly optOuts: readonly OptOut[];
}

export interface OptOut {
  readonly rule: string;
  readonly reason: string;
  readonly line: number;
}

export class MigrationFileError extends Error {
  override readonly name = "MigrationFileError";
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super(`Invalid migration file ${file}${line ? ` (line ${line})` : ""}: ${reason}`);
  }
}

/** Strips a UTF-8 BOM and turns CRLF / CR into LF, so a checkout on another OS has the same checksum. */
export function normalize(text: string): string {
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function parseDuration(raw: string): number | undefined {
  const match = /^(\d+)(ms|s|min|h)$/.exec(raw);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "min" | "h"];
  return Number(match[1]) * unit;
}

/** Parses a file read as bytes: invalid UTF-8 is refused with its byte offset. */
export function parseMigrationBytes(name: string, bytes: Uint8Array): Migration {
  return parseMigration(name, decodeMigrationBytes(name, bytes));
}

export function decodeMigrationBytes(name: string, bytes: Uint8Array): string {
  return decodeUtf8(bytes, (offset, line) => {
    throw new MigrationFileError(
      name,
      line,
      `byte offset ${offset} is not valid UTF-8 (0x${bytes[offset].toString(16).padStart(2, "0")}); ` +
        "save the file as UTF-8",
    );
  });
}

interface Directive {
  readonly key: "up" | "down" | "no-transaction" | "lock-timeout" | "statement-timeout" | "allow";
  readonly value: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
}

const EXACT =
  /^-- migrate:(up|down|no-transaction)$|^-- migrate:(lock-timeout|statement-timeout) (\S+)$|^-- migrate:(allow) ([a-z0-9-]+ \S.*)$/;
/**
 * Where a comment that EXACT or LOOKS_LIKE judges can start: the splitter checks only these are real
 * comments.
 */
const CANDIDATE = /-{2,}[^\S\r\n]*migrate/gi;
const LOOKS_LIKE = [
  /^-{2,}\s*migrate\s*[:=]/i,
  /^-{2,}\s*migrate\s*(up|down|no-?transaction|lock-?timeout|statement-?timeout|allow)\b/i,
];
const ALLOWED =
  "write it exactly, alone on its line at column 0: -- migrate:up, -- migrate:down, -- migrate:no-transaction, " +
  "-- migrate:lock-timeout 5s, -- migrate:statement-timeout 10min, -- migrate:allow <lint rule> <reason>";

/**
 * Synchronous: the statements come from the parser an async caller loaded with `await loadSqlParser()`, or
 * else from one started on a worker thread that this call waits for (sql-parser.ts loadSqlParserSync).
 */
export function parseMigration(name: string, text: string): Migration {
  const match = MIGRATION_NAME.exec(name);
  if (!match) {
    throw new MigrationFileError(
      name,
      undefined,
      "the name must look like 001_create_users.sql (3+ digits, _, lower-case words)",
    );
  }
  const from = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const directives: Directive[] = [];
  const onLineComment = (start: number, end: number, line: number) => {
    const comment = text.slice(start, end);
    const exact = EXACT.exec(comment);
    const atLineStart = start === from || text[start - 1] === "\n" || text[start - 1] === "\r";
    if (exact && atLineStart) {
      const key = (exact[1] ?? exact[2] ?? exact[4]) as Directive["key"];
      directives.push({ key, value: exact[3] ?? exact[5] ?? "", start, end, line });
      return true;
    }
    if (LOOKS_LIKE.some((re) => re.test(comment))) {
      throw new MigrationFileError(
        name,
        line,
        `"${comment.trim()}" looks like a directive but is not one; ${ALLOWED}`,
      );
    }
    return false;
  };
  let statements: Statement[];
  try {
    statements = splitSql(text, { from, comments: CANDIDATE, onLineComment });
  } catch (err) {
    if (!(err instanceof SqlSyntaxError)) throw err;
    throw new MigrationFileError(name, err.line, `PostgreSQL's parser refuses it: ${err.reason}`);
  }
  const { up, down, header } = sectionsOf(name, directives);
  const options = headerOptions(name, header);
  const upStatements = statements.filter((s) => s.start > up.end && (!down || s.start < down.start));
  const downStatements = down ? statements.filter((s) => s.start > down.end) : [];
  const early = statements.find((s) => s.start < up.start);
  if (early) {
    throw new MigrationFileError(
      name,
      early.line,
      "SQL before -- migrate:up; put every statement in a section",
    );
  }
  if (upStatements.length === 0)
    throw new MigrationFileError(name, up.line + 1, "the up section has no SQL statement");
  refuseTransactionControl(name, upStatements, "up");
  refuseTransactionControl(name, downStatements, "down");
  refuseIdentityChange(name, upStatements, "up");
  refuseIdentityChange(name, downStatements, "down");
  const upEnd = down ? down.start : text.length;
  return {
    name,
    sql: text,
    version: Number(match[1]),
    checksum: sha256(normalize(text.slice(0, upEnd)).trimEnd()),
    up: text.slice(afterLine(text, up.end), upEnd),
    upLine: up.line + 1,
    down: down && downStatements.length > 0 ? text.slice(afterLine(text, down.end)) : undefined,
    downLine: down ? down.line + 1 : undefined,
    upStatements,
    downStatements,
    ...options,
  };
}

function afterLine(text: string, end: number): number {
  if (text[end] === "\r" && text[end + 1] === "\n") return end + 2;
  return end < text.length ? end + 1 : end;
}

function sectionsOf(name: string, directives: readonly Directive[]) {
  const ups = directives.filter((d) => d.key === "up");
  const downs = directives.filter((d) => d.key === "down");
  if (ups.length === 0) {
    throw new MigrationFileError(
      name,
      1,
      'no "-- migrate:up" line; put it on its own line before the SQL to apply (and "-- migrate:down" before ' +
        "the SQL that undoes it)",
    );
  }
  if (ups.length > 1)
    throw new MigrationFileError(name, ups[1].line, 'a second "-- migrate:up"; a file has exactly one');
  if (downs.length > 1)
    throw new MigrationFileError(name, downs[1].line, 'a second "-- migrate:down"; a file has at most one');
  const up = ups[0];
  const down = downs[0];
  if (down && down.start < up.start)
    throw new MigrationFileError(name, down.line, '"-- migrate:down" comes before "-- migrate:up"');
  const misplaced = directives.find((d) => d.key !== "up" && d.key !== "down" && d.start > up.start);
  if (misplaced) {
    throw new MigrationFileError(
      name,
      misplaced.line,
      `"-- migrate:${misplaced.key}" belongs in the header, before "-- migrate:up"`,
    );
  }
  return { up, down, header: directives.filter((d) => d.start < up.start) };
}

function headerOptions(name: string, header: readonly Directive[]) {
  let transaction = true;
  let lockTimeoutMs: number | undefined;
  let statementTimeoutMs: number | undefined;
  const optOuts: OptOut[] = [];
  const seen = new Set<string>();
  for (const d of header) {
    if (d.key === "allow") {
      optOuts.push(optOutOf(name, d, optOuts));
      continue;
    }
    if (seen.has(d.key)) throw new MigrationFileError(name, d.line, `a second "-- migrate:${d.key}"`);
    seen.add(d.key);
    if (d.key === "no-transaction") {
      transaction = false;
      continue;
    }
    const ms = parseDuration(d.value);
    if (ms === undefined || ms <= 0) {
      throw new MigrationFileError(
        name,
        d.line,
        `"-- migrate:${d.key} ${d.value}" needs a duration such as 500ms, 5s, 10min`,
      );
    }
    if (d.key === "lock-timeout") lockTimeoutMs = ms;
    else statementTimeoutMs = ms;
  }
  return { transaction, lockTimeoutMs, statementTimeoutMs, optOuts };
}

function optOutOf(name: string, d: Directive, earlier: readonly OptOut[]): OptOut {
  const space = d.value.indexOf(" ");
  const rule = d.value.slice(0, space);
  const reason = d.value.slice(space + 1).trim();
  if (!LINT_RULE_NAMES.has(rule)) {
    throw new MigrationFileError(
      name,
      d.line,
      `"-- migrate:allow ${rule}": no lint rule is named ${rule}; the rules are ${[...LINT_RULE_NAMES].join(", ")}`,
    );
  }
  if (earlier.some((o) => o.rule === rule))
    throw new MigrationFileError(
      name,
      d.line,
      `a second "-- migrate:allow ${rule}"; give one reason per rule`,
    );
  // The reason is what `plan` shows the reviewer: a few words, not a placeholder.
  if (reason.replace(/[^A-Za-z]/g, "").length < 10) {
    throw new MigrationFileError(
      name,
      d.line,
      `"-- migrate:allow ${rule}" needs a reason after the rule name (why the lock or break is acceptable here)`,
    );
  }
  return { rule, reason, line: d.line };
}

/**
 * The runner owns the transaction (or, for no-transaction files, autocommit with progress tracking): a file
 * that ends, aborts or nests it would leave work committed that its history row does not describe.
 */
const TRANSACTION_CONTROL =
  /^(begin|start|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)(?![\w$])/i;

function refuseTransactionControl(name: string, statements: readonly Statement[], section: string): void {
  const control = statements.find((s) => TRANSACTION_CONTROL.test(s.text));
  if (control) {
    throw new MigrationFileError(
      name,
      control.line,
      `"${control.text.split(/\r?\n|\r/)[0]}" in the ${section} section controls the transaction; the runner ` +
        "runs each file in its own transaction (or, with -- migrate:no-transaction, statement by statement). " +
        "Remove it, or split the file into several migrations",
    );
  }
}

/**
 * Migrations run logged in as the owner's member, acting as the owner group (`ALTER ROLE … SET role`). A file
 * that changes the session's role would create objects owned by the wrong role, and when an admin session ran
 * them (the old `reset`), `SET ROLE NONE` fell back to the superuser.
 */
const IDENTITY_CHANGE =
  /^(?:set\s+(?:(?:session|local)\s+)?(?:"?role"?|session\s+authorization)|reset\s+(?:"?role"?|session\s+authorization))(?![\w$])/i;

function refuseIdentityChange(name: string, statements: readonly Statement[], section: string): void {
  const change = statements.find((s) => IDENTITY_CHANGE.test(s.text));
  if (change) {
    throw new MigrationFileError(
      name,
      change.line,
      `"${change.text.split(/\r?\n|\r/)[0]}" in the ${section} section changes the session's role; migrations ` +
        "run as the schema owner and must not switch identity (SET ROLE, SET SESSION AUTHORIZATION, RESET ROLE). " +
        "Remove it: objects a migration creates belong to the owner",
    );
  }
}
