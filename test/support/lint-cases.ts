// One case per lint rule: the unsafe statement it refuses and the safe rewrite it lets through. The lint's
// own tests (test/unit/migration-lint.test.ts) and its findings cache's (test/unit/lint-cache.test.ts).

/** [rule, unsafe statement, its safe rewrite (no finding), header for the safe one]. */
export const CASES: [string, string, string, string?][] = [
  [
    "create-index-non-concurrent",
    "CREATE INDEX i ON users (email);",
    "CREATE INDEX CONCURRENTLY i ON users (email);",
    "-- migrate:no-transaction\n",
  ],
  ["drop-index-non-concurrent", "DROP INDEX i;", "DROP INDEX CONCURRENTLY i;", "-- migrate:no-transaction\n"],
  [
    "reindex-non-concurrent",
    "REINDEX INDEX i;",
    "REINDEX INDEX CONCURRENTLY i;",
    "-- migrate:no-transaction\n",
  ],
  [
    "concurrently-in-transaction",
    "CREATE INDEX CONCURRENTLY i ON users (email);",
    "CREATE INDEX CONCURRENTLY i ON users (email);",
    "-- migrate:no-transaction\n",
  ],
  [
    "add-column-rewrites-table",
    "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
    "ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT now();",
  ],
  [
    "add-column-rewrites-table",
    "ALTER TABLE users ADD COLUMN n bigserial;",
    "ALTER TABLE users ADD COLUMN n bigint;",
  ],
  [
    "add-required-column",
    "ALTER TABLE users ADD COLUMN tier text NOT NULL;",
    "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';",
  ],
  [
    "alter-column-type",
    "ALTER TABLE users ALTER COLUMN email TYPE varchar(400);",
    "ALTER TABLE users ADD COLUMN email2 varchar(400);",
  ],
  [
    "set-not-null",
    "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    "ALTER TABLE users VALIDATE CONSTRAINT email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
  ],
  [
    "add-foreign-key-validates",
    "ALTER TABLE g ADD CONSTRAINT g_u FOREIGN KEY (u) REFERENCES users (id);",
    "ALTER TABLE g ADD CONSTRAINT g_u FOREIGN KEY (u) REFERENCES users (id) NOT VALID;",
  ],
  [
    "add-check-validates",
    "ALTER TABLE g ADD CONSTRAINT g_p CHECK (p >= 0);",
    "ALTER TABLE g ADD CONSTRAINT g_p CHECK (p >= 0) NOT VALID;",
  ],
  [
    "add-unique-without-index",
    "ALTER TABLE users ADD CONSTRAINT users_email UNIQUE (email);",
    "ALTER TABLE users ADD CONSTRAINT users_email UNIQUE USING INDEX users_email_idx;",
  ],
  [
    "rename-column",
    "ALTER TABLE users RENAME COLUMN email TO mail;",
    "ALTER TABLE users ADD COLUMN mail text;",
  ],
  ["rename-table", "ALTER TABLE users RENAME TO people;", "CREATE VIEW people AS SELECT * FROM users;"],
  ["drop-column", "ALTER TABLE users DROP COLUMN legacy;", "COMMENT ON COLUMN users.legacy IS 'unused';"],
  ["drop-table", "DROP TABLE legacy;", "DROP VIEW legacy_view;"],
  ["vacuum-full", "VACUUM FULL users;", "VACUUM users;", "-- migrate:no-transaction\n"],
  ["cluster", "CLUSTER users USING users_pkey;", "ANALYZE users;"],
  ["lock-table", "LOCK TABLE users IN SHARE MODE;", "SELECT 1;"],
  [
    "ban-char-field",
    "CREATE TABLE codes (c char(3));",
    "CREATE TABLE codes (c text CHECK (length(c) <= 3));",
  ],
];
