// Which statements of a no-transaction file can leave part of themselves behind: the parser
// decides, so quoting, comments and option lists do not hide one.
import { strict as assert } from "node:assert";
import { concurrentKind, waitsWithoutBlocking } from "../../migrator/concurrent-statement";

describe("concurrent statements: classification by PostgreSQL's parser", () => {
  it("names what each non-atomic statement may leave, and calls every other statement atomic", async () => {
    const cases: [string, unknown][] = [
      [
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Odd name" ON app.users (a)',
        {
          kind: "create-index",
          table: { schema: "app", name: "users" },
          index: { schema: "app", name: "Odd name" },
        },
      ],
      ["create index /* x */ concurrently on users (a)", { kind: "create-index", table: { name: "users" } }],
      ["REINDEX (VERBOSE) INDEX CONCURRENTLY users_pkey", { kind: "reindex" }],
      ["REINDEX SCHEMA CONCURRENTLY public", { kind: "reindex" }],
      [
        "DROP INDEX CONCURRENTLY IF EXISTS app.users_a",
        { kind: "drop-index", indexes: [{ schema: "app", name: "users_a" }] },
      ],
      [
        "ALTER TABLE events DETACH PARTITION events_1 CONCURRENTLY",
        { kind: "detach-partition", parent: { name: "events" }, partition: { name: "events_1" } },
      ],
      ["CALL backfill()", { kind: "commits-inside", what: "CALL" }],
      ["DO $$ BEGIN COMMIT; END $$", { kind: "commits-inside", what: "DO" }],
      ["CREATE INDEX users_a ON users (a)", undefined],
      ["REINDEX INDEX users_pkey", undefined],
      ["DROP INDEX users_a", undefined],
      ["ALTER TABLE events DETACH PARTITION events_1", undefined],
      ["ALTER TYPE mood ADD VALUE 'ok'", undefined],
      ["VACUUM users", undefined],
      ["not sql at all", undefined],
    ];
    for (const [sql, expected] of cases) assert.deepEqual(await concurrentKind(sql), expected, sql);
  });

  it("only the index statements, whose one table lock blocks no read or write, wait without lock_timeout", async () => {
    const waits = async (sql: string) => waitsWithoutBlocking(await concurrentKind(sql));
    assert.equal(await waits("CREATE INDEX CONCURRENTLY i ON t (a)"), true);
    assert.equal(await waits("REINDEX TABLE CONCURRENTLY t"), true);
    assert.equal(await waits("DROP INDEX CONCURRENTLY i"), true);
    // Its second step takes ACCESS EXCLUSIVE on the partition: the app's queries on it would queue.
    assert.equal(await waits("ALTER TABLE p DETACH PARTITION c CONCURRENTLY"), false);
    assert.equal(await waits("CALL f()"), false);
    assert.equal(await waits("CREATE INDEX i ON t (a)"), false);
  });
});
