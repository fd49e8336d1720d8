// The migration engine's runs in tests: migrateUp and migrateDown report a MigrationResultSet and never
// throw, so a test says which outcome it expects.
import { strict as assert } from "node:assert";
import type { MigrationResult, MigrationResultSet } from "../../migrator";

/** The results of a run that must succeed; its error fails the test. */
export async function succeeded(run: Promise<MigrationResultSet>): Promise<readonly MigrationResult[]> {
  const { error, results } = await run;
  if (error) throw error;
  return results;
}

/** The error of a run that must fail. */
export async function failed(run: Promise<MigrationResultSet>): Promise<Error> {
  const { error, results } = await run;
  assert.ok(error, `the run was expected to fail, and it reported ${JSON.stringify(results)}`);
  return error;
}
