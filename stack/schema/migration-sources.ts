// Where the provider gets the SQL: from the migration files in the checkout, not from a Pulumi property. The
// program and the provider host run in the same checkout (the host's working directory is the project root),
// so the inputs carry only each file's name and checksum, and `preview --diff`, state and error messages
// never print a migration's SQL. The provider re-reads each file and holds it to the checksum the program
// computed.
import * as fs from "node:fs";
import * as path from "node:path";
import { Migration, parseMigrationBytes } from "../../migrator";

export interface MigrationRef {
  readonly name: string;
  readonly checksum: string;
}

/**
 * Parses each listed file in `directory` (relative to the working directory, or absolute); throws naming the
 * file.
 */
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

/**
 * How inputs and outputs hold the migrations: file name → checksum, one line per file in `preview --diff` (an
 * array of objects took five). Key order does not count: the engine returns stored objects with sorted keys.
 */
export type MigrationMap = Readonly<Record<string, string>>;

/**
 * What a state written before the map holds: an array of (name, checksum), with each one's SQL where it was
 * written while the SQL was a property.
 */
export type LegacyMigrationList = readonly (MigrationRef & { readonly sql?: string })[];

/** The (name, checksum) pairs of either form, in version order. */
export function refsOf(value: MigrationMap | LegacyMigrationList | undefined): MigrationRef[] {
  const refs = Array.isArray(value)
    ? (value as LegacyMigrationList).map(({ name, checksum }) => ({ name, checksum }))
    : Object.entries((value ?? {}) as MigrationMap).map(([name, checksum]) => ({ name, checksum }));
  const version = (name: string) => Number(/^(\d+)_/.exec(name)?.[1] ?? NaN);
  return refs.sort((a, b) => version(a.name) - version(b.name) || a.name.localeCompare(b.name));
}

export function mapOf(refs: readonly MigrationRef[]): Record<string, string> {
  return Object.fromEntries(refs.map((r) => [r.name, r.checksum]));
}
