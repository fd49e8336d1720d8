// Where the provider gets the SQL: from the migration files in the checkout, not from a Pulumi property. The
// program and the provider host run in the same checkout (the host's working directory is the project root), so
// the inputs carry only each file's name and checksum, and `preview --diff`, state and error messages never
// print a migration's SQL. The provider re-reads each file and holds it to the checksum the program computed.
import * as fs from "node:fs";
import * as path from "node:path";
import { Migration, parseMigrationBytes } from "../../migrator";

export interface MigrationRef {
  readonly name: string;
  readonly checksum: string;
}

/** Parses each listed file in `directory` (relative to the working directory, or absolute); throws naming the file. */
export function readListed(directory: string, listed: readonly MigrationRef[]): Migration[] {
  const dir = path.resolve(directory);
  return listed.map(({ name, checksum }) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file))
      throw new Error(
        `${path.join(directory, name)} is gone: the program listed it, then it was deleted or renamed before ` +
          "the provider read it. Run the command again.",
      );
    const parsed = parseMigrationBytes(name, fs.readFileSync(file));
    if (parsed.checksum !== checksum)
      throw new Error(
        `${path.join(directory, name)} changed while pulumi ran (the program read sha256:${checksum}, the file ` +
          `now has sha256:${parsed.checksum}). Run the command again.`,
      );
    return parsed;
  });
}

/** The (name, checksum) pairs of `list` without anything else a state written before this design holds (`sql`). */
export function refsOf(list: readonly MigrationRef[] | undefined): MigrationRef[] {
  return (list ?? []).map(({ name, checksum }) => ({ name, checksum }));
}
