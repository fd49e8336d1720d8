import { strict as assert } from "node:assert";
import { ClientConfig } from "pg";
import { pgClient } from "../../testbed/pg-client";
import {
  MigrationEvent,
  MigrationLockTimeout,
  MigrationPlanError,
  MigrationRunError,
  MigrationSource,
  migrateDown,
  migrateUp,
  migrationStatus,
  readMigrationDirectory,
} from "../../migrator";
import { MIGRATION_LOCK_KEY } from "../../migrator/lock";
import { lockWaitLine } from "../../cli/migrate";
import { startPostgres, sharedPostgres, TestPostgres, withClient } from "../../testbed/postgres";
import { ROOT } from "../../testbed/stack";
import { failed, succeeded } from "../support/migrate";
import * as path from "node:path";

// Files in these tests are mostly a single up section; the directive is added where the text has none.
const m = (name: string, sql: string): MigrationSource => ({
  name,
  sql: sql.includes("-- migrate:up") ? sql : `-- migrate:up\n${sql}`,
});
const count = (config: ClientConfig, sql: string) =>
  withClient(config, async (c) => Number((await c.query(sql)).rows[0].n));
const tableExists = (config: ClientConfig, table: string) =>
  withClient(config, async (c) => (await c.query("SELECT to_regclass($1) AS t", [table])).rows[0].t !== null);

describe("migration engine (real PostgreSQL 17)", function () {
  let pg: TestPostgres;
  let config: ClientConfig;
  beforeEach(async () => {
    pg = await sharedPostgres();
    config = pg.config(await pg.createDatabase("engine"));
  });

  it("applies sql/ on an empty database, records history, and a rerun is a no-op", async () => {
    const migrations = readMigrationDirectory(path.join(ROOT, "sql"));
    const first = await succeeded(migrateUp({ connection: config, migrations }));
    assert.deepEqual(
      first.map((r) => [r.name, r.status]),
      migrations.map((s) => [s.name, "success"]),
    );
    const history = await withClient(config, (c) =>
      c.query(
        "SELECT name, checksum, status, duration_ms, applied_by FROM migrations.history ORDER BY version",
      ),
    );
    assert.equal(history.rows.length, migrations.length);
    assert.ok(
      history.rows.every(
        (r) =>
          r.status === "applied" &&
          /^[0-9a-f]{64}$/.test(r.checksum) &&
          r.duration_ms >= 0 &&
          r.applied_by === "postgres",
      ),
    );
    const again = await succeeded(migrateUp({ connection: config, migrations }));
    assert.deepEqual(again, []);
    assert.equal(await count(config, "SELECT count(*) AS n FROM migrations.history"), migrations.length);
  });

  it("ignores CRLF line endings and a BOM when comparing checksums", async () => {
    const sql = "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n";
    await succeeded(migrateUp({ connection: config, migrations: [m("001_t.sql", sql)] }));
    const windows = "\uFEFF" + sql.replace(/\n/g, "\r\n");
    assert.deepEqual(
      await succeeded(migrateUp({ connection: config, migrations: [m("001_t.sql", windows)] })),
      [],
    );
  });

  it("refuses an applied file that changed, naming the file and both checksums", async () => {
    await succeeded(
      migrateUp({ connection: config, migrations: [m("001_t.sql", "CREATE TABLE t (id int);")] }),
    );
    const err = await failed(
      migrateUp({
        connection: config,
        migrations: [m("001_t.sql", "CREATE TABLE t (id bigint);")],
      }),
    );
    assert.ok(err instanceof MigrationPlanError);
    assert.equal(err.rule, "changed-after-apply");
    assert.match(
      err.message,
      /001_t\.sql was applied with checksum sha256:[0-9a-f]{64} but the file now has sha256:[0-9a-f]{64}/,
    );
  });

  it("refuses when an applied migration is missing from disk", async () => {
    await succeeded(
      migrateUp({
        connection: config,
        migrations: [m("001_a.sql", "CREATE TABLE a (id int);"), m("002_b.sql", "CREATE TABLE b (id int);")],
      }),
    );
    const e = await failed(
      migrateUp({ connection: config, migrations: [m("001_a.sql", "CREATE TABLE a (id int);")] }),
    );
    assert.ok(e instanceof MigrationPlanError && e.rule === "missing-file");
    assert.match(e.message, /002_b\.sql is recorded as applied .* there is no such file/);
  });

  it("refuses a new file numbered below the latest applied one (out of order)", async () => {
    await succeeded(
      migrateUp({
        connection: config,
        migrations: [m("001_a.sql", "SELECT 1;"), m("003_c.sql", "SELECT 3;")],
      }),
    );
    const err = await failed(
      migrateUp({
        connection: config,
        migrations: [m("001_a.sql", "SELECT 1;"), m("002_b.sql", "SELECT 2;"), m("003_c.sql", "SELECT 3;")],
      }),
    );
    assert.ok(err instanceof MigrationPlanError);
    assert.equal(err.rule, "out-of-order");
    assert.match(err.message, /002_b\.sql is new but numbered below 003_c\.sql/);
    assert.equal(await tableExists(config, "b"), false);
  });

  it("rolls back a file that fails mid-way and names the file, line and statement", async () => {
    const bad = m(
      "002_bad.sql",
      "-- migrate:up\nCREATE TABLE first_half (id int);\n\nINSERT INTO first_half VALUES (1);\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE second_half (id int);\n",
    );
    const { error: err, results } = await migrateUp({
      connection: config,
      migrations: [m("001_ok.sql", "CREATE TABLE ok (id int);"), bad],
    });
    assert.ok(err instanceof MigrationRunError);
    assert.match(
      err.message,
      /Migration 002_bad\.sql \(up\) failed at line 5: relation "missing_table" does not exist \[SQLSTATE 42P01\]/,
    );
    assert.match(err.message, /statement: INSERT INTO missing_table VALUES \(1\)/);
    assert.match(err.message, /Nothing from this file was applied/);
    assert.deepEqual(
      results.map((r) => [r.name, r.status]),
      [
        ["001_ok.sql", "success"],
        ["002_bad.sql", "error"],
      ],
    );
    assert.equal(await tableExists(config, "ok"), true);
    assert.equal(await tableExists(config, "first_half"), false, "no half-applied file");
    assert.equal(await count(config, "SELECT count(*) AS n FROM migrations.history"), 1);
  });

  it("survives its backend being killed mid-file: nothing applied, rerun applies it", async () => {
    // One file for both runs (same checksum); how long it sleeps comes from the session, not from the SQL.
    const file = m(
      "001_slow.sql",
      "CREATE TABLE killed (id int);\n" +
        "SELECT pg_sleep(current_setting('offthegrid.test_sleep')::float);\n" +
        "CREATE TABLE after_sleep (id int);",
    );
    const sleeping = (seconds: number) => ({ ...config, options: `-c offthegrid.test_sleep=${seconds}` });
    const running = failed(migrateUp({ connection: sleeping(30), migrations: [file] }));
    await withClient(pg.config(), async (admin) => {
      for (let i = 0; i < 100; i++) {
        const { rowCount } = await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'offthegrid-migrate' AND query LIKE '%pg_sleep(current_setting%' AND wait_event = 'PgSleep'",
        );
        if (rowCount) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail("the migration never started");
    });
    const err = await running;
    assert.ok(err instanceof MigrationRunError, String(err));
    assert.match(err.message, /001_slow\.sql/);
    assert.equal(await tableExists(config, "killed"), false);
    // The same file, same checksum, is still pending and applies when the session does not sleep.
    const rerun = await succeeded(migrateUp({ connection: sleeping(0), migrations: [file] }));
    assert.equal(rerun[0].status, "success");
    assert.equal(await tableExists(config, "after_sleep"), true);
    assert.equal(
      await count(config, "SELECT count(*) AS n FROM migrations.history WHERE name = '001_slow.sql'"),
      1,
    );
  });

  it("applies each file exactly once with 8 concurrent appliers", async () => {
    const migrations = [
      m(
        "001_counter.sql",
        "CREATE TABLE applied_log (migration text);\nINSERT INTO applied_log VALUES ('001');\nSELECT pg_sleep(0.2);",
      ),
      m("002_second.sql", "INSERT INTO applied_log VALUES ('002');"),
      m("003_third.sql", "INSERT INTO applied_log VALUES ('003');"),
    ];
    const runs = await Promise.all(
      Array.from({ length: 8 }, () =>
        succeeded(migrateUp({ connection: config, migrations, lockDeadlineMs: 30_000 })),
      ),
    );
    const applied = runs
      .flat()
      .filter((r) => r.status === "success")
      .map((r) => r.name)
      .sort();
    assert.deepEqual(applied, ["001_counter.sql", "002_second.sql", "003_third.sql"]);
    const log = await withClient(config, (c) =>
      c.query("SELECT migration, count(*)::int AS n FROM applied_log GROUP BY 1 ORDER BY 1"),
    );
    assert.deepEqual(log.rows, [
      { migration: "001", n: 1 },
      { migration: "002", n: 1 },
      { migration: "003", n: 1 },
    ]);
  });

  it("gives up on the advisory lock at its deadline, naming the holder, without a blocking wait", async () => {
    const holder = pgClient(config);
    await holder.connect();
    try {
      await holder.query("SET application_name = 'stuck-migrator'");
      await holder.query("SELECT pg_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
      const started = Date.now();
      const err = await failed(
        migrateUp({
          connection: config,
          migrations: [m("001_a.sql", "SELECT 1;")],
          lockDeadlineMs: 600,
        }),
      );
      assert.ok(err instanceof MigrationLockTimeout, String(err));
      assert.match(err.message, /held by backend pid \d+ \(role [^,]+, stuck-migrator/);
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await holder.end();
    }
    assert.equal(
      (await succeeded(migrateUp({ connection: config, migrations: [m("001_a.sql", "SELECT 1;")] })))[0]
        .status,
      "success",
    );
  });

  it("a wait for the advisory lock is reported within 2 s: the holder and when it gives up", async () => {
    const holder = pgClient(config);
    await holder.connect();
    try {
      await holder.query("SET application_name = 'long-migrator'");
      await holder.query("SELECT pg_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
      const started = Date.now();
      const waits: { at: number; event: MigrationEvent }[] = [];
      await failed(
        migrateUp({
          connection: config,
          migrations: [m("001_a.sql", "SELECT 1;")],
          lockDeadlineMs: 2_500,
          onEvent: (event) => event.type === "lock-wait" && waits.push({ at: Date.now() - started, event }),
        }),
      );
      assert.ok(waits.length >= 1 && waits[0].at < 2_000, JSON.stringify(waits));
      const first = waits[0].event as Extract<MigrationEvent, { type: "lock-wait" }>;
      assert.equal(first.holder?.application, "long-migrator");
      assert.ok(Math.abs(first.deadline - (started + 2_500)) < 500);
      assert.match(
        lockWaitLine(first),
        /held by backend pid \d+ \(role [^,]+, long-migrator.*giving up at \d\d:\d\d:\d\d UTC/,
      );
    } finally {
      await holder.end();
    }
  });

  it("retries a file that hits lock_timeout, and succeeds once the lock is released", async () => {
    await succeeded(
      migrateUp({ connection: config, migrations: [m("001_t.sql", "CREATE TABLE busy (id int);")] }),
    );
    const blocker = pgClient(config);
    await blocker.connect();
    await blocker.query("BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
    const retries: number[] = [];
    const running = succeeded(
      migrateUp({
        connection: config,
        migrations: [
          m("001_t.sql", "CREATE TABLE busy (id int);"),
          m(
            "002_alter.sql",
            "-- migrate:lock-timeout 100ms\n-- migrate:up\nALTER TABLE busy ADD COLUMN note text;",
          ),
        ],
        lockRetryDelayMs: 150,
        onEvent: (e) => e.type === "retry" && retries.push(e.attempt),
      }),
    );
    setTimeout(() => void blocker.query("COMMIT").then(() => blocker.end()), 400);
    const results = await running;
    assert.equal(results[0].status, "success");
    assert.ok(retries.length >= 1, "at least one retry after lock_timeout");
  });

  it("applies a per-file statement timeout", async () => {
    const err = await failed(
      migrateUp({
        connection: config,
        migrations: [
          m("001_slow.sql", "-- migrate:statement-timeout 100ms\n-- migrate:up\nSELECT pg_sleep(2);"),
        ],
      }),
    );
    assert.ok(err instanceof MigrationRunError);
    assert.match(err.message, /canceling statement due to statement timeout \[SQLSTATE 57014\]/);
  });

  it("runs no-transaction files one statement per query, and resumes an interrupted one where it stopped", async () => {
    const base = m("001_base.sql", "CREATE TABLE items (id int, name text);");
    const broken = m(
      "002_index.sql",
      "-- migrate:no-transaction\n-- migrate:up\nCREATE INDEX CONCURRENTLY items_id ON items (id);\nCREATE INDEX CONCURRENTLY items_name ON items (nmae);\n",
    );
    const err = await failed(migrateUp({ connection: config, migrations: [base, broken] }));
    assert.match(err.message, /002_index\.sql \(up\) failed at line 4: column "nmae" does not exist/);
    assert.match(
      err.message,
      /statement 1 of 2 is applied and recorded, and the next run resumes at statement 2/,
    );
    const [row] = (
      await withClient(config, (c) =>
        c.query("SELECT status, statements_done FROM migrations.history WHERE version = 2"),
      )
    ).rows;
    assert.deepEqual(row, { status: "partial", statements_done: 1 });
    const status = await migrationStatus({ connection: config, migrations: [base, broken] });
    assert.equal(status[1].state, "partial");
    // Fix the failing statement only: the first one already ran and is not repeated.
    const fixed = m("002_index.sql", broken.sql.replace("(nmae)", "(name)"));
    const results = await succeeded(migrateUp({ connection: config, migrations: [base, fixed] }));
    assert.deepEqual(
      results.map((r) => r.status),
      ["success"],
    );
    assert.equal(await count(config, "SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'items'"), 2);
    // Changing a statement that already ran is refused.
    const [done] = (
      await withClient(config, (c) => c.query("SELECT status FROM migrations.history WHERE version = 2"))
    ).rows;
    assert.equal(done.status, "applied");
  });

  it("refuses to resume an interrupted file whose already-run statements changed", async () => {
    const base = m("001_base.sql", "CREATE TABLE items (id int, name text);");
    const broken = m(
      "002_index.sql",
      "-- migrate:no-transaction\n-- migrate:up\nCREATE INDEX CONCURRENTLY items_id ON items (id);\nCREATE INDEX CONCURRENTLY items_name ON items (nmae);\n",
    );
    await failed(migrateUp({ connection: config, migrations: [base, broken] }));
    const rewritten = m(
      "002_index.sql",
      broken.sql.replace("items_id ON items (id)", "items_id2 ON items (id)").replace("(nmae)", "(name)"),
    );
    assert.match(
      (await failed(migrateUp({ connection: config, migrations: [base, rewritten] }))).message,
      /Interrupted migration changed: 002_index\.sql stopped after 1 statement/,
    );
  });

  it("rolls back with down sections, then applies again", async () => {
    const migrations = readMigrationDirectory(path.join(ROOT, "sql"));
    await succeeded(migrateUp({ connection: config, migrations }));
    const down = await succeeded(migrateDown({ connection: config, migrations }, migrations.length));
    assert.deepEqual(
      down.map((r) => [r.name, r.status]),
      migrations.map((m) => [m.name, "success"]).reverse(),
    );
    assert.equal(await tableExists(config, "users"), false);
    assert.equal(await count(config, "SELECT count(*) AS n FROM migrations.history"), 0);
    const up = await succeeded(migrateUp({ connection: config, migrations }));
    assert.equal(up.length, migrations.length);
    assert.equal(await count(config, "SELECT count(*) AS n FROM education_modules"), 3);
  });

  it("refuses to roll back a migration without a down section", async () => {
    await succeeded(
      migrateUp({ connection: config, migrations: [m("001_a.sql", "CREATE TABLE a (id int);")] }),
    );
    assert.match(
      (
        await failed(
          migrateDown({ connection: config, migrations: [m("001_a.sql", "CREATE TABLE a (id int);")] }),
        )
      ).message,
      /001_a\.sql has no "-- migrate:down" section/,
    );
  });

  it("waits for a database that is not up yet, then applies", async () => {
    let late: TestPostgres | undefined;
    const { freePort } = await import("../../testbed/ports");
    const port = await freePort();
    const starting = new Promise<TestPostgres>((resolve, reject) =>
      setTimeout(() => void startPostgres({ port }).then(resolve, reject), 1_000),
    );
    try {
      const results = succeeded(
        migrateUp({
          connection: { ...config, port, database: "postgres" },
          migrations: [m("001_a.sql", "CREATE TABLE waited (id int);")],
          connectDeadlineMs: 30_000,
        }),
      );
      late = await starting;
      assert.equal((await results)[0].status, "success");
    } finally {
      await (late ?? (await starting.catch(() => undefined)))?.stop();
    }
  });

  it("fails with a clear message when the database never comes up", async () => {
    const { freePort } = await import("../../testbed/ports");
    const port = await freePort();
    assert.match(
      (
        await failed(
          migrateUp({
            connection: { ...config, port },
            migrations: [m("001_a.sql", "SELECT 1;")],
            connectDeadlineMs: 800,
          }),
        )
      ).message,
      new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port} did not accept connections within \\d+ s`),
    );
  });
});
