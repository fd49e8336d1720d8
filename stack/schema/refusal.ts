// The schema's refusals as preview and up both reach them. `diff` runs in both, sees the previous outputs (the
// applied (name, checksum) pairs) and calls the migrator's own preflight with them, so `pulumi preview` refuses
// what `migrate up` would refuse, with its message, before anything touches the database.
import { preflightUp, recordedHistory } from "../../migrator";
import type { Migration } from "../../migrator/migration-file";
import type { MigrationRef } from "./migration-sources";

/**
 * An error whose text is its message and nothing more. The dynamic-provider host prints `${error}: ${error.stack}`
 * for anything a method throws, so a plain Error would put Node stack frames into every refused preview.
 */
export class SchemaRefusal extends Error {
  override readonly name = "SchemaRefusal";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.stack = message;
  }
  override toString(): string {
    return "SchemaMigrations refused the change, nothing ran";
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
