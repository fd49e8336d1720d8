// A statement of a no-transaction file either completes or leaves nothing of its own behind, and
// the message says exactly what exists. CREATE INDEX CONCURRENTLY under the app's traffic must complete; when
// a concurrent statement truly cannot finish, what it built is dropped (or kept and named with the command to
// drop it), never an index that existed before it started.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { ClientConfig } from "pg";
import { pgClient } from "../../testbed/pg-client";
import { MigrationRunError, MigrationSource, migrateUp, readMigrationDirectory } from "../../migrator";
import { failed, succeeded } from "../support/migrate";
import { sharedPostgres, withClient } from "../../testbed/postgres";
import { ROOT } from "../../testbed/stack";
import { start } from "../../testbed/traffic";
import { preparedDatabase, type PreparedDatabase } from "../support/prepared";

const SQL = readMigrationDirectory(path.join(ROOT, "sql"));
const file = (name: string, body: string, header = ""): MigrationSource => ({
  name,
  sql: `-- migrate:no-transaction\n${header}-- migrate:up\n${body}\n`,
});

async function one<T>(config: ClientConfig, sql: string, params: unknown[] = []): Promise<T> {
  return withClient(config, async (c) => (await c.query(sql, params)).rows[0] as T);
}

/** name → indisvalid of every index on `table`. */
async function indexes(config: ClientConfig, table: string): Promise<Record<string, boolean>> {
  return withClient(config, async (c) => {
    const { rows } = await c.query(
      `SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = to_regclass($1) ORDER BY 1`,
      [table],
    );
    return Object.fromEntries(rows.map((r) => [r.relname, r.indisvalid]));
  });
}

/** A session that holds a transaction open until released: a writer on `table`, or a snapshot holder. */
async function holdOpen(config: ClientConfig, sql: string): Promise<{ release(): Promise<void> }> {
  const c = pgClient(config);
  await c.connect();
  await c.query(sql);
  return {
    async release() {
      await c.query("ROLLBACK").catch(() => undefined);
      await c.end();
    },
  };
}

/**
 * The app's longer write transactions: a few round trips on users (~0.5 s each, well under any deadline), one
 * after another, from two sessions. Today's traffic harness only sends single statements; a real app also
 * holds a row for a moment.
 */
function slowWriter(config: ClientConfig): { stop(): Promise<{ done: number; failures: string[] }> } {
  let stopping = false;
  const failures: string[] = [];
  let done = 0;
  const loop = (async () => {
    const c = pgClient(config);
    await c.connect();
    try {
      while (!stopping) {
        try {
          await c.query("BEGIN");
          await c.query(
            "UPDATE users SET login_count = login_count WHERE id = (SELECT id FROM users LIMIT 1)",
          );
          await c.query("SELECT pg_sleep(0.5)");
          await c.query("COMMIT");
          done++;
        } catch (err) {
          failures.push((err as Error).message);
          await c.query("ROLLBACK").catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await c.end();
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      return { done, failures };
    },
  };
}

describe("adversarial: concurrent statements of no-transaction files (real PostgreSQL 17)", function () {
  this.timeout(120_000);
  let db: PreparedDatabase;
  beforeEach(async () => {
    db = await preparedDatabase(await sharedPostgres(), "cic");
  });

  it("CREATE INDEX CONCURRENTLY on users completes under the app's traffic: valid index, 0 failed requests", async () => {
    const traffic = start({
      targets: {
        postgresApp: db.url("app"),
        postgresReadonly: db.url("readonly"),
        redisApp: "redis://unused@127.0.0.1:1/0",
        redisCache: "redis://unused@127.0.0.1:1/0",
      },
      stores: ["postgres"],
      durationMs: 60_000,
      ratePerSecond: 200,
      concurrency: 4,
    });
    const writers = [slowWriter(db.as("app")), slowWriter(db.as("app"))];
    const events: string[] = [];
    try {
      await new Promise((r) => setTimeout(r, 1_500));
      const cic = file(
        "006_users_login_count.sql",
        "CREATE INDEX CONCURRENTLY users_login_count_idx ON users (login_count);",
      );
      const { error, results } = await migrateUp({
        connection: db.as("owner"),
        migrations: [...SQL, cic],
        onEvent: (e) => e.type !== "start" && e.type !== "done" && events.push(JSON.stringify(e)),
      });
      assert.equal(error, undefined, events.join("\n"));
      assert.deepEqual(
        results.map((r) => [r.name, r.status]),
        [["006_users_login_count.sql", "success"]],
        events.join("\n"),
      );
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      const report = await traffic.stop();
      for (const slow of await Promise.all(writers.map((w) => w.stop()))) {
        assert.deepEqual(slow.failures, [], "the app's longer write transactions all committed");
        assert.ok(slow.done >= 3, `${slow.done} slow write transactions`);
      }
      assert.deepEqual(report.stores.postgres.failuresByError, {});
      assert.ok(report.stores.postgres.requests > 100, `${report.stores.postgres.requests} requests`);
      assert.equal(report.writes.lost, 0, JSON.stringify(report.writes.lostWrites));
    }
    assert.equal((await indexes(db.as("owner"), "users")).users_login_count_idx, true);
  });

  const TWO_SECONDS = "-- migrate:statement-timeout 2s\n";
  const failing = async (files: MigrationSource[], options: { lockRetries?: number } = {}) => {
    const started = Date.now();
    const err = await failed(
      migrateUp({ connection: db.as("owner"), migrations: [...SQL, ...files], ...options }),
    );
    assert.ok(err instanceof MigrationRunError, String(err));
    return { message: (err as Error).message, ms: Date.now() - started };
  };
  const exists = (name: string) =>
    one<{ valid: boolean | null }>(
      db.as("owner"),
      "SELECT (SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)) AS valid",
      [name],
    ).then((r) => r.valid);

  it("a CIC that outlives its deadline waiting for an old snapshot: its INVALID index is dropped, and the message says so", async () => {
    // A snapshot held elsewhere in the database: the build waits for it at its end, the drop does not.
    const holder = await holdOpen(
      db.as("admin"),
      "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM migrations.history",
    );
    const cic = file(
      "006_users_login_count.sql",
      "CREATE INDEX CONCURRENTLY users_login_count_idx ON users (login_count);",
      TWO_SECONDS,
    );
    let failure: { message: string; ms: number };
    try {
      failure = await failing([cic]);
    } finally {
      await holder.release();
    }
    assert.match(failure.message, /statement timeout \[SQLSTATE 57014\]/);
    assert.match(
      failure.message,
      /Statement 1 left index public\.users_login_count_idx INVALID; the runner dropped it \(DROP INDEX CONCURRENTLY IF EXISTS public\.users_login_count_idx\)/,
    );
    assert.ok(failure.ms < 15_000, `${failure.ms} ms`);
    assert.equal(await exists("users_login_count_idx"), null, "nothing of the statement remains");
    await succeeded(migrateUp({ connection: db.as("owner"), migrations: [...SQL, cic] }));
    assert.equal(await exists("users_login_count_idx"), true);
  });

  it("a CIC blocked by a writer held open: the index that cannot be dropped either is named with the command; never an index that was there before", async () => {
    const owner = db.as("owner");
    // An INVALID index that existed before the run (an operator's failed build): the runner must never drop
    // it.
    const writer = await holdOpen(
      db.as("app"),
      "BEGIN; UPDATE users SET login_count = login_count WHERE login_count < 0",
    );
    await withClient(owner, async (c) => {
      await c.query("SET lock_timeout = 100");
      await c
        .query("CREATE INDEX CONCURRENTLY users_by_hand ON users (last_login_at)")
        .catch(() => undefined);
    });
    const byHand = await one<{ oid: string }>(owner, "SELECT 'users_by_hand'::regclass::oid::text AS oid");
    assert.equal(await exists("users_by_hand"), false, "the operator's build left an INVALID index");
    const cic = file(
      "006_users_login_count.sql",
      "CREATE INDEX CONCURRENTLY ON users (login_count);",
      TWO_SECONDS,
    );
    let failure: { message: string; ms: number };
    try {
      failure = await failing([cic]);
    } finally {
      await writer.release();
    }
    // The unnamed build got a server-chosen name; the drop waited for the same writer and gave up too.
    assert.match(
      failure.message,
      /Index public\.users_login_count_idx is left INVALID \(dropping it failed: canceling statement due to statement timeout\); to remove it: DROP INDEX CONCURRENTLY IF EXISTS public\.users_login_count_idx;/,
    );
    assert.doesNotMatch(failure.message, /users_by_hand/);
    assert.deepEqual(await indexes(owner, "users"), {
      ...(await indexes(owner, "users")),
      users_by_hand: false,
      users_login_count_idx: false,
    });
    assert.equal(
      (await one<{ oid: string }>(owner, "SELECT 'users_by_hand'::regclass::oid::text AS oid")).oid,
      byHand.oid,
    );
    // The named form meets an INVALID index it did not build: refused, named, not dropped.
    const named = file(
      "006_users_login_count.sql",
      "CREATE INDEX CONCURRENTLY users_by_hand ON users (last_login_at);",
      TWO_SECONDS,
    );
    const refused = await failing([named]);
    assert.match(
      refused.message,
      /builds index users_by_hand, which already exists and is INVALID\. This run did not create it/,
    );
    assert.match(refused.message, /DROP INDEX CONCURRENTLY IF EXISTS users_by_hand;/);
    assert.equal(await exists("users_by_hand"), false, "still there, untouched");
    // Following the first message's command, the file then applies.
    const fix = /to remove it: (DROP INDEX CONCURRENTLY IF EXISTS [^;]+);/.exec(failure.message)![1];
    await withClient(owner, (c) => c.query(fix));
    await succeeded(migrateUp({ connection: owner, migrations: [...SQL, cic] }));
    assert.equal(await exists("users_login_count_idx"), true);
  });

  const ITEMS = {
    name: "006_items.sql",
    sql: "-- migrate:up\nCREATE TABLE items (n int);\nINSERT INTO items SELECT generate_series(1, 1000);\nCREATE INDEX items_n ON items (n);\n",
  };

  it("REINDEX … CONCURRENTLY that cannot finish: its _ccnew copy is dropped, the original index is kept valid", async () => {
    await succeeded(migrateUp({ connection: db.as("owner"), migrations: [...SQL, ITEMS] }));
    const holder = await holdOpen(
      db.as("admin"),
      "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM migrations.history",
    );
    const reindex = file("007_reindex.sql", "REINDEX INDEX CONCURRENTLY items_n;", TWO_SECONDS);
    let failure: { message: string; ms: number };
    try {
      failure = await failing([ITEMS, reindex]);
    } finally {
      await holder.release();
    }
    assert.match(failure.message, /left index public\.items_n_ccnew INVALID; the runner dropped it/);
    assert.deepEqual(await indexes(db.as("owner"), "items"), { items_n: true });
  });

  it("DROP INDEX CONCURRENTLY that cannot finish: the message says the index is still there, INVALID; the rerun finishes it", async () => {
    await succeeded(migrateUp({ connection: db.as("owner"), migrations: [...SQL, ITEMS] }));
    const writer = await holdOpen(db.as("owner"), "BEGIN; INSERT INTO items VALUES (0)");
    const drop = file("007_drop.sql", "DROP INDEX CONCURRENTLY items_n;", TWO_SECONDS);
    let failure: { message: string; ms: number };
    try {
      failure = await failing([ITEMS, drop]);
    } finally {
      await writer.release();
    }
    assert.match(
      failure.message,
      /Index public\.items_n is left INVALID \(it is the index this statement drops: running the statement again finishes the drop\)/,
    );
    assert.equal(await exists("items_n"), false);
    await succeeded(migrateUp({ connection: db.as("owner"), migrations: [...SQL, ITEMS, drop] }));
    assert.equal(await exists("items_n"), null);
  });

  it("a DO block that commits inside and then fails: the message says that what it committed stays", async () => {
    const block = file(
      "006_do.sql",
      "DO $$ BEGIN CREATE TABLE committed_part (n int); COMMIT; PERFORM pg_sleep(5); END $$;",
      TWO_SECONDS,
    );
    const failure = await failing([block]);
    assert.match(
      failure.message,
      /Statement 1 is a DO: whatever it committed before the error stays committed/,
    );
    assert.equal(
      (await one<{ t: string | null }>(db.as("owner"), "SELECT to_regclass('committed_part')::text AS t")).t,
      "committed_part",
    );
  });

  it("DETACH PARTITION … CONCURRENTLY that cannot finish: the retry finishes it (FINALIZE); the message names the pending detach and the command", async () => {
    const parts = {
      name: "006_events.sql",
      sql:
        "-- migrate:up\nCREATE TABLE events (n int) PARTITION BY RANGE (n);\n" +
        "CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100);\n" +
        "CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (100) TO (200);\n",
    };
    await succeeded(migrateUp({ connection: db.as("owner"), migrations: [...SQL, parts] }));
    const reader = await holdOpen(db.as("owner"), "BEGIN; SELECT count(*) FROM events");
    const detach = file("007_detach.sql", "ALTER TABLE events DETACH PARTITION events_1 CONCURRENTLY;");
    const events: string[] = [];
    let failure: { message: string; ms: number };
    try {
      const started = Date.now();
      const err = await migrateUp({
        connection: db.as("owner"),
        migrations: [...SQL, parts, detach],
        lockRetries: 2,
        onEvent: (e) => e.type === "retry" && events.push(e.reason),
      }).then((run) => run.error);
      failure = { message: String(err?.message), ms: Date.now() - started };
    } finally {
      await reader.release();
    }
    assert.equal(events.length, 2, "retried after each lock timeout");
    assert.match(
      failure.message,
      /Partition public\.events_1 is left pending detach \(a pending detach can only be finished, not undone\); finish it with: ALTER TABLE public\.events DETACH PARTITION public\.events_1 FINALIZE;/,
    );
    const notices: string[] = [];
    await succeeded(
      migrateUp({
        connection: db.as("owner"),
        migrations: [...SQL, parts, detach],
        onEvent: (e) => e.type === "notice" && notices.push(e.message),
      }),
    );
    assert.match(
      notices.join("\n"),
      /the detach is already pending; finishing it: ALTER TABLE public\.events DETACH/,
    );
    assert.equal(
      (
        await one<{ n: number }>(
          db.as("owner"),
          "SELECT count(*)::int AS n FROM pg_inherits WHERE inhrelid = 'events_1'::regclass",
        )
      ).n,
      0,
    );
  });
});
