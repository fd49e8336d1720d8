// `offthegrid-migrate new NAME`: the next numbered file from a template that the lint and `up` accept as it
// is, and migrations.sum regenerated with it, so two branches that each add a migration collide as a git
// conflict on the sum file (not at deploy time) and nobody forgets `sum`.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Migration } from "../migrator";

/** `add_user_index` → written as NNN_add_user_index.sql; lower case, digits and underscores. */
export function checkMigrationName(name: string): string | undefined {
  return /^[a-z][a-z0-9_]{0,62}$/.test(name)
    ? undefined
    : `a migration name is lower case letters, digits and "_", starting with a letter (e.g. add_user_index), not "${name}"`;
}

export function nextMigrationFile(existing: readonly Pick<Migration, "version">[], name: string): string {
  const next = Math.max(0, ...existing.map((m) => m.version)) + 1;
  return `${String(next).padStart(3, "0")}_${name}.sql`;
}

/**
 * The template: it lints clean and applies as a no-op (`SELECT 1`: an up section needs a statement) until the
 * change replaces it.
 */
export function migrationTemplate(name: string, noTransaction: boolean): string {
  return [
    `-- ${name}: what this changes and why (a reviewer reads this first).`,
    ...(noTransaction
      ? [
          "-- Runs outside a transaction, one statement per query (CREATE INDEX CONCURRENTLY, ALTER TYPE … ADD",
          "-- VALUE): make each statement safe to run again, since a failure leaves the earlier ones applied.",
          "-- migrate:no-transaction",
        ]
      : []),
    "-- migrate:up",
    "-- The change, in place of SELECT 1. `npm run migrate -- lint` judges it; `plan` shows how `up` runs it.",
    "SELECT 1;",
    "",
    "-- migrate:down",
    "-- How to undo it (or delete this section when it cannot be undone).",
    "",
  ].join("\n");
}

/** Writes the file (never over an existing one) and returns its path. */
export function writeMigrationFile(dir: string, file: string, text: string): string {
  const target = path.join(dir, file);
  fs.writeFileSync(target, text, { flag: "wx" });
  return target;
}
