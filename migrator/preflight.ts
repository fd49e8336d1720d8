// What `up` refuses before anything runs, decided from the files and the applied history alone: the plan's
// integrity guards (an applied file changed, missing or renamed; a new file numbered below an applied one),
// then the lint of the files it would run. migrateUp calls it with the history it reads from the database;
// the SchemaMigrations provider calls it in `pulumi preview` with the history its state recorded. One
// function, so the two cannot disagree about the same history.
import { assertLintClean } from "./lint";
import type { Migration } from "./migration-file";
import { PrefixHasher } from "./no-transaction";
import { PlannedRow, UpPlan, planUp } from "./plan";

export interface PreflightOptions {
  /** Files numbered up to this are not linted (default LINT_BASELINE). */
  readonly baseline?: number;
}

/** Checksum of the first `statementsDone` statements of the up section, as recorded for a partial file. */
export function prefixChecksum(m: Migration, statementsDone: number): string {
  return new PrefixHasher(m.upStatements).at(statementsDone);
}

/** The plan `up` would run; throws its MigrationPlanError or MigrationLintError otherwise. */
export async function preflightUp(
  files: readonly Migration[],
  history: readonly PlannedRow[],
  options: PreflightOptions = {},
): Promise<UpPlan> {
  const plan = planUp(files, history, prefixChecksum);
  if (plan.pending.length > 0) await assertLintClean(plan.pending, { baseline: options.baseline });
  return plan;
}

/**
 * The history a recorded state implies: each (name, checksum) it lists as applied, its version from the name.
 */
export function recordedHistory(
  applied: readonly { readonly name: string; readonly checksum: string }[],
): PlannedRow[] {
  return applied.map(({ name, checksum }) => ({
    version: Number(/^(\d+)_/.exec(name)?.[1] ?? NaN),
    name,
    checksum,
    status: "applied" as const,
  }));
}
