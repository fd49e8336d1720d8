// The migration set of the under-traffic bench, written the safe way and the unsafe way. The
// unsafe files carry opt-outs so the bench can force them through; test/unit/migration-lint.test.ts asserts
// that without the opt-outs the lint refuses each unsafe statement, and that the safe set passes as written.
export interface BenchFile {
  readonly name: string;
  readonly sql: string;
}

export const SAFE_SET: readonly BenchFile[] = [
  {
    name: "901_bench_add_column.sql",
    sql: "-- migrate:up\nALTER TABLE users ADD COLUMN bench_tier text NOT NULL DEFAULT 'free';\n",
  },
  {
    name: "902_bench_index.sql",
    sql:
      "-- migrate:no-transaction\n-- migrate:up\n" +
      "CREATE INDEX CONCURRENTLY users_bench_last_login ON users (last_login_at);\n",
  },
  {
    name: "903_bench_fk.sql",
    sql:
      "-- migrate:up\nALTER TABLE user_sessions ADD CONSTRAINT user_sessions_bench_fk " +
      "FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n",
  },
  {
    name: "904_bench_validate.sql",
    sql: "-- migrate:up\nALTER TABLE user_sessions VALIDATE CONSTRAINT user_sessions_bench_fk;\n",
  },
];

/** The same changes the way they are often written: a rewrite, a blocking index build, a validating FK. */
export const UNSAFE_STATEMENTS: readonly { name: string; rule: string; statement: string }[] = [
  {
    name: "911_bench_add_column_volatile.sql",
    rule: "add-column-rewrites-table",
    statement: "ALTER TABLE users ADD COLUMN bench_token uuid DEFAULT gen_random_uuid();",
  },
  {
    name: "912_bench_index_blocking.sql",
    rule: "create-index-non-concurrent",
    statement: "CREATE INDEX users_bench_last_login_2 ON users (last_login_at);",
  },
  {
    name: "913_bench_fk_validating.sql",
    rule: "add-foreign-key-validates",
    statement:
      "ALTER TABLE user_sessions ADD CONSTRAINT user_sessions_bench_fk_2 FOREIGN KEY (user_id) REFERENCES users (id);",
  },
];

export function unsafeSet(withOptOuts: boolean): BenchFile[] {
  return UNSAFE_STATEMENTS.map((u) => ({
    name: u.name,
    sql:
      (withOptOuts ? `-- migrate:allow ${u.rule} forced through by the lock bench to show the spike\n` : "") +
      `-- migrate:up\n${u.statement}\n`,
  }));
}
