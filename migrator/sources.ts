// Where migrations come from is separate from how they run (kysely's MigrationProvider): the CLI and the
// stack read a directory; tests and the Pulumi provider pass migrations in memory.
import * as fs from "node:fs";
import * as path from "node:path";
import {
  Migration,
  MIGRATION_NAME,
  MigrationFileError,
  decodeMigrationBytes,
  parseMigration,
} from "./migration-file";

export interface MigrationSource {
  readonly name: string;
  readonly sql: string;
}

/**
 * Parses every source and checks names and versions are unique, returning them ordered by version. Sources
 * that are already parsed Migrations are used as they are, so a caller that checked the sum file parses only
 * once.
 */
export function loadMigrations(sources: readonly MigrationSource[]): Migration[] {
  const migrations = sources
    .map((s) => (isParsed(s) ? s : parseMigration(s.name, s.sql)))
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new MigrationFileError(
        migrations[i].name,
        undefined,
        `version ${migrations[i].version} is also used by ${migrations[i - 1].name}; give one of them the next free number`,
      );
    }
  }
  return migrations;
}

function isParsed(s: MigrationSource): s is Migration {
  const m = s as Partial<Migration>;
  return typeof m.checksum === "string" && Array.isArray(m.upStatements);
}

/**
 * Reads `dir/*.sql` as bytes: invalid UTF-8 is refused with the file and byte offset. Any other .sql-like
 * name is an error rather than silently skipped.
 */
export function readMigrationDirectory(dir: string): MigrationSource[] {
  if (!fs.existsSync(dir)) throw new Error(`Migration directory ${dir} does not exist`);
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .map((file) => {
      if (!MIGRATION_NAME.test(file)) {
        throw new MigrationFileError(file, undefined, "the name must look like 001_create_users.sql");
      }
      return { name: file, sql: decodeMigrationBytes(file, fs.readFileSync(path.join(dir, file))) };
    });
}
