// The lint's rule list: names, what each one blocks and the safe rewrite. No parser here, so the file parser
// can validate `-- migrate:allow <rule>` names and the docs generator can render the table without loading
// WASM. The checks that find each rule's statements are in checks.ts.

export interface LintRule {
  readonly name: string;
  /** What the statement does to the running app: which lock, on what, for how long. */
  readonly blocks: string;
  /** The rewrite that does not block. */
  readonly safe: string;
  /** True when a table created earlier in the same file is exempt (nobody else can be using it yet). */
  readonly newTableExempt: boolean;
}

/**
 * Files numbered up to this one shipped before the lint existed and are applied on deployed stacks: their
 * checksums freeze them, so they cannot gain opt-outs. The lint judges every file numbered above it.
 */
export const LINT_BASELINE = 4;

export const LINT_RULES: readonly LintRule[] = [
  {
    name: "create-index-non-concurrent",
    blocks:
      "CREATE INDEX takes a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits",
    safe: "CREATE INDEX CONCURRENTLY in a file of its own with -- migrate:no-transaction",
    newTableExempt: true,
  },
  {
    name: "drop-index-non-concurrent",
    blocks: "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: reads and writes wait",
    safe: "DROP INDEX CONCURRENTLY in a file with -- migrate:no-transaction",
    newTableExempt: true,
  },
  {
    name: "reindex-non-concurrent",
    blocks:
      "REINDEX locks out writes to the table (SHARE) and reads through the index (ACCESS EXCLUSIVE) while it rebuilds",
    safe: "REINDEX … CONCURRENTLY in a file with -- migrate:no-transaction",
    newTableExempt: true,
  },
  {
    name: "concurrently-in-transaction",
    blocks:
      "a CONCURRENTLY operation cannot run inside a transaction block: PostgreSQL refuses it at run time",
    safe: "put it in a file with -- migrate:no-transaction (one statement per query, in autocommit)",
    newTableExempt: false,
  },
  {
    name: "add-column-rewrites-table",
    blocks:
      "ADD COLUMN with a volatile default (random(), clock_timestamp(), gen_random_uuid(), nextval), a serial or " +
      "identity type, or GENERATED … STORED rewrites every row under an ACCESS EXCLUSIVE lock: reads and writes wait",
    safe:
      "add the column without a default (or with a constant/now()), backfill in batches from a later file or a job, " +
      "then SET DEFAULT for new rows",
    newTableExempt: true,
  },
  {
    name: "add-required-column",
    blocks:
      "ADD COLUMN … NOT NULL without a DEFAULT fails on a table with rows, and the running app's INSERTs that do " +
      "not name the column fail once it exists",
    safe: "ADD COLUMN … NOT NULL DEFAULT <constant>, or add it nullable and tighten later (see set-not-null)",
    newTableExempt: true,
  },
  {
    name: "alter-column-type",
    blocks:
      "ALTER COLUMN … TYPE holds an ACCESS EXCLUSIVE lock while it rewrites the table and rebuilds its indexes " +
      "(only binary-coercible changes such as varchar(n) → text skip the rewrite)",
    safe: "add a new column, dual-write and backfill in batches, switch the app, drop the old column in a later release",
    newTableExempt: true,
  },
  {
    name: "set-not-null",
    blocks:
      "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock unless a validated CHECK (col IS NOT " +
      "NULL) already proves it",
    safe:
      "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (in the same file before the SET " +
      "NOT NULL, or an earlier one); then SET NOT NULL skips the scan, and DROP CONSTRAINT c",
    newTableExempt: true,
  },
  {
    name: "add-foreign-key-validates",
    blocks:
      "ADD FOREIGN KEY (or REFERENCES on a new column) without NOT VALID scans the table under a SHARE ROW " +
      "EXCLUSIVE lock on both tables: writes to either wait",
    safe: "ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT in a later file",
    newTableExempt: true,
  },
  {
    name: "add-check-validates",
    blocks:
      "ADD CHECK without NOT VALID (or a CHECK on a new column) scans the table under an ACCESS EXCLUSIVE lock: " +
      "reads and writes wait",
    safe: "ADD CONSTRAINT … CHECK (…) NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT in a later file",
    newTableExempt: true,
  },
  {
    name: "add-unique-without-index",
    blocks:
      "ADD UNIQUE / PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait for the build",
    safe:
      "CREATE UNIQUE INDEX CONCURRENTLY in a no-transaction file, then ADD CONSTRAINT … UNIQUE (or PRIMARY KEY) " +
      "USING INDEX",
    newTableExempt: true,
  },
  {
    name: "rename-column",
    blocks:
      "RENAME COLUMN is instant, but the running app still queries the old name and fails until it is redeployed",
    safe: "expand/contract: add the new column, dual-write and backfill, switch readers, drop the old one later",
    newTableExempt: true,
  },
  {
    name: "rename-table",
    blocks: "RENAME TABLE breaks every query of the running app that names the old table",
    safe: "create a view with the old name over the renamed table while the app moves, or expand/contract",
    newTableExempt: true,
  },
  {
    name: "drop-column",
    blocks:
      "DROP COLUMN takes an ACCESS EXCLUSIVE lock and breaks the running app's queries (and SELECT * consumers) " +
      "that still use the column",
    safe: "stop using the column in the app first (deploy), then drop it in a later migration with an opt-out",
    newTableExempt: true,
  },
  {
    name: "drop-table",
    blocks:
      "DROP TABLE takes an ACCESS EXCLUSIVE lock and breaks every query of the running app that names it",
    safe: "remove every use from the app first (deploy), then drop it in a later migration with an opt-out",
    newTableExempt: true,
  },
  {
    name: "vacuum-full",
    blocks:
      "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock: reads and writes wait for the copy",
    safe: "plain VACUUM (no lock on reads or writes), or pg_repack / pg_squeeze run outside migrations",
    newTableExempt: true,
  },
  {
    name: "cluster",
    blocks: "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock: reads and writes wait for the copy",
    safe: "pg_repack --order-by outside migrations, or an index that serves the access order",
    newTableExempt: true,
  },
  {
    name: "lock-table",
    blocks: "LOCK TABLE holds its lock until the file commits: whatever the mode excludes queues behind it",
    safe: "let each statement take the lock it needs; split long files so locks are held briefly",
    newTableExempt: true,
  },
  {
    name: "ban-char-field",
    blocks:
      "char(n) pads with spaces and is never faster than text in PostgreSQL; widening it later is an ALTER COLUMN " +
      "TYPE rewrite",
    safe: "text (with a CHECK (length(col) <= n) if the length matters) or varchar(n)",
    newTableExempt: false,
  },
];

export const LINT_RULE_NAMES: ReadonlySet<string> = new Set(LINT_RULES.map((r) => r.name));

export function ruleNamed(name: string): LintRule {
  const rule = LINT_RULES.find((r) => r.name === name);
  if (!rule) throw new Error(`unknown lint rule ${name}`);
  return rule;
}
