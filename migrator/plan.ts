// Integrity guards and planning: pure functions over the files on disk and the history rows in the database.
// Every refusal is a MigrationPlanError whose message starts with the rule it enforces.
import { Migration } from "./migration-file";

export interface HistoryRow {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly status: "applied" | "partial";
  /** no-transaction files: statements already run, and a checksum of exactly those statements. */
  readonly statementsDone: number | null;
  readonly prefixChecksum: string | null;
  /** no-transaction files: statement statementsDone + 1 was running when the last run stopped. */
  readonly inFlight?: boolean;
  readonly appliedAt: Date;
  readonly durationMs: number | null;
  readonly appliedBy: string | null;
}

/**
 * What planning reads of a history row: a recorded state (the provider's outputs) carries these and no more.
 */
export type PlannedRow = Pick<HistoryRow, "version" | "name" | "checksum" | "status"> &
  Partial<Pick<HistoryRow, "statementsDone" | "prefixChecksum" | "inFlight">>;

export class MigrationPlanError extends Error {
  override readonly name = "MigrationPlanError";
  constructor(
    readonly rule:
      "changed-after-apply" | "missing-file" | "out-of-order" | "no-down-section" | "partial-changed",
    message: string,
  ) {
    super(message);
  }
}

export interface UpPlan {
  readonly pending: readonly Migration[];
  /** A no-transaction file interrupted earlier, resumed at statementsDone. */
  readonly resume?: {
    readonly migration: Migration;
    readonly statementsDone: number;
    readonly prefixChecksum: string;
    readonly inFlight: boolean;
  };
}

function checkIntegrity(files: readonly Migration[], history: readonly PlannedRow[]): void {
  const byName = new Map(files.map((m) => [m.name, m]));
  for (const row of history) {
    const file = byName.get(row.name);
    if (!file) {
      throw new MigrationPlanError(
        "missing-file",
        `Applied migration missing from disk: ${row.name} is recorded as ${row.status} in the database ` +
          "but there is no such file in sql/. Restore it from version control (a rename counts as a deletion); " +
          "never delete an applied migration, add a new one that undoes it.",
      );
    }
    if (row.status === "applied" && file.checksum !== row.checksum) {
      throw new MigrationPlanError(
        "changed-after-apply",
        `Migration changed after it was applied: ${row.name} was applied with checksum sha256:${row.checksum} ` +
          `but the file now has sha256:${file.checksum}. Restore the applied version (git checkout) and put the ` +
          "change in a new migration.",
      );
    }
  }
  const latest = history.reduce<PlannedRow | undefined>(
    (a, r) => (!a || r.version > a.version ? r : a),
    undefined,
  );
  if (!latest) return;
  const appliedNames = new Set(history.map((r) => r.name));
  for (const file of files) {
    if (!appliedNames.has(file.name) && file.version < latest.version) {
      throw new MigrationPlanError(
        "out-of-order",
        `Migration out of order: ${file.name} is new but numbered below ${latest.name}, which is already applied. ` +
          `Renumber it above ${String(latest.version).padStart(3, "0")} (rename the file and run ` +
          "`npm run migrate -- sum`).",
      );
    }
  }
}

export function planUp(
  files: readonly Migration[],
  history: readonly PlannedRow[],
  prefixChecksumOf: (m: Migration, statementsDone: number) => string,
): UpPlan {
  checkIntegrity(files, history);
  const rows = new Map(history.map((r) => [r.name, r]));
  const partial = history.find((r) => r.status === "partial");
  let resume: UpPlan["resume"];
  if (partial) {
    const file = files.find((m) => m.name === partial.name)!;
    const done = partial.statementsDone ?? 0;
    const prefix = prefixChecksumOf(file, done);
    if (prefix !== partial.prefixChecksum) {
      throw new MigrationPlanError(
        "partial-changed",
        `Interrupted migration changed: ${partial.name} stopped after ${done} statement(s), and those statements ` +
          "are no longer the same in the file. Only the statements after them may change before it is resumed.",
      );
    }
    resume = {
      migration: file,
      statementsDone: done,
      prefixChecksum: prefix,
      inFlight: partial.inFlight ?? false,
    };
  }
  return {
    pending: files.filter((m) => !rows.has(m.name) || rows.get(m.name)!.status === "partial"),
    resume,
  };
}

/** The latest `count` applied migrations, newest first, each of which must have a down section. */
export function planDown(
  files: readonly Migration[],
  history: readonly PlannedRow[],
  count: number,
): Migration[] {
  checkIntegrity(files, history);
  const applied = history.filter((r) => r.status === "applied").sort((a, b) => b.version - a.version);
  return applied.slice(0, count).map((row) => {
    const file = files.find((m) => m.name === row.name)!;
    if (file.down === undefined) {
      throw new MigrationPlanError(
        "no-down-section",
        `Migration cannot be rolled back: ${file.name} has no "-- migrate:down" section. Add one, or write a new ` +
          "migration that undoes it.",
      );
    }
    return file;
  });
}
