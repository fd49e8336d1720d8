// The schema's refusals as preview and up both reach them. `diff` runs in both, sees the previous outputs
// (the applied (name, checksum) pairs) and calls the migrator's own preflight with them, so `pulumi preview`
// refuses what `migrate up` would refuse, with its message, before anything touches the database.
import { preflightUp, recordedHistory } from "../../migrator";
import type { Migration } from "../../migrator/migration-file";
import type { MigrationRef } from "./migration-sources";

/**
 * The dynamic-provider host prints `${error}: ${error.stack}` for anything a method throws (as a message on
 * the stack), then hands the message to the engine (the resource's error). A plain Error put Node stack
 * frames into every refused preview; repeating the message printed the paragraph twice. This prints one line
 * pointing at it.
 */
export class SchemaRefusal extends Error {
  override readonly name = "SchemaRefusal";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.stack = "the reason is the schema resource's error";
  }
  override toString(): string {
    return "SchemaMigrations refused the change (nothing ran)";
  }
}

/** Why `up` would refuse these files given what the state records as applied; undefined when it would not. */
export async function refusalOf(
  files: readonly Migration[],
  applied: readonly MigrationRef[],
): Promise<string | undefined> {
  try {
    await preflightUp(files, recordedHistory(applied));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
