// Against real PostgreSQL 17: losing the advisory-lock session mid-run, and resuming
// no-transaction files after a kill (INVALID indexes, statements that may or may not have finished).
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ClientConfig } from "pg";
import { pgClient } from "../../testbed/pg-client";
import {
  MigrationLockLost,
  MigrationRunError,
  MigrationSource,
  loadMigrations,
  migrateDown,
  migrateUp,
  renderSumFile,
} from "../../migrator";
import { prefixChecksum } from "../../migrator/runner";
import { RUNNING_MARK } from "../../migrator/history";
import { TestPostgres, sharedPostgres, withClient } from "../../testbed/postgres";
import { failed, succeeded } from "../support/migrate";
import { ROOT } from "../../testbed/stack";

const m = (name: string, sql: string): MigrationSource => ({ name, sql });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BASE = m(
  "001_items.sql",
  "-- migrate:up\nCREATE TABLE items (id int);\nINSERT INTO items SELECT generate_series(1, 1000);\n",
);

async function waitFor(config: ClientConfig, sql: string, params: unknown[] = []): Promise<number> {
  return withClient(config, async (c) => {
    for (let i = 0; i < 200; i++) {
      const { rows } = await c.query(sql, params);
      if (rows.length > 0) return rows[0].pid as number;
      await sleep(25);
    }
    throw new Error(`timed out waiting for: ${sql}`);
  });
}

const terminate = (admin: ClientConfig, application: string) =>
  withClient(admin, (c) =>
    c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [
      application,
    ]),
  );

describe("adversarial: migrator sessions (real PostgreSQL 17)", function () {
  let pg: TestPostgres;
  let db: string;
  let config: ClientConfig;
  beforeEach(async () => {
    pg = await sharedPostgres();
    db = await pg.createDatabase("advsess");
    config = pg.config(db);
  });
  const activeSleep = (db: string) =>
    waitFor(
      pg.config(),
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'offthegrid-migrate' AND state = 'active' AND query LIKE '%pg_sleep(30)%'",
      [db],
    );

  it("losing the lock session cancels the work at once and fails cleanly", async () => {
    const slow = m("001_slow.sql", "-- migrate:up\nCREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n");
    const running = failed(migrateUp({ connection: config, migrations: [slow] }));
    await activeSleep(db);
    const killedAt = Date.now();
    await terminate(pg.config(), "offthegrid-migrate-lock");
    const err = await running;
    assert.ok(Date.now() - killedAt < 5_000, "failed promptly");
    assert.ok(err instanceof MigrationLockLost, String(err));
    assert.match(
      err.message,
      /lock was lost: its session \(backend pid \d+\) ended.* while 001_slow\.sql was running/,
    );
    assert.equal(
      await withClient(config, async (c) => (await c.query("SELECT to_regclass('slow') AS t")).rows[0].t),
      null,
    );
    const left = await withClient(pg.config(), (c) =>
      c.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep(30)%' AND state = 'active'",
        [db],
      ),
    );
    assert.equal(left.rows[0].n, 0, "the work session no longer runs");
  });

  it("the CLI reports a lost lock without a stack trace (exit 1)", async function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mig-lock-"));
    try {
      const slow = m("001_slow.sql", "-- migrate:up\nSELECT pg_sleep(30);\n");
      fs.writeFileSync(path.join(dir, slow.name), slow.sql);
      fs.writeFileSync(path.join(dir, "migrations.sum"), renderSumFile(loadMigrations([slow])));
      // The CLI refuses an admin login (it runs the owner's SQL): a plain login that may create the schema.
      const owner = `owner_${db}`;
      const password = "owner-Pw-0123456789abcdef";
      await withClient(config, (c) =>
        c.query(
          `CREATE ROLE ${owner} LOGIN PASSWORD '${password}'; GRANT CREATE ON DATABASE ${db} TO ${owner}; ` +
            `GRANT CREATE ON SCHEMA public TO ${owner}`,
        ),
      );
      const url = `postgresql://${owner}:${password}@${config.host}:${config.port}/${db}`;
      const child = spawn(
        process.execPath,
        ["-r", "./tools/ts-register.cjs", "cli/migrate.ts", "up", "--dir", dir],
        {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: url },
        },
      );
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      await activeSleep(db);
      await terminate(pg.config(), "offthegrid-migrate-lock");
      assert.equal(await exited, 1);
      assert.match(stderr, /error: The migration lock was lost/);
      assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a killed CREATE INDEX CONCURRENTLY leaves an INVALID index; the resumed run rebuilds it", async () => {
    await succeeded(migrateUp({ connection: config, migrations: [BASE] }));
    const index = m(
      "002_index.sql",
      "-- migrate:no-transaction\n-- migrate:up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS items_id ON items (id);\n",
    );
    const writer = pgClient(config);
    await writer.connect();
    try {
      await writer.query("BEGIN; INSERT INTO items VALUES (0)"); // CIC waits for this writer
      const running = failed(migrateUp({ connection: config, migrations: [BASE, index] }));
      const pid = await waitFor(
        pg.config(),
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'",
        [db],
      );
      await withClient(pg.config(), (c) => c.query("SELECT pg_terminate_backend($1)", [pid]));
      const err = await running;
      assert.ok(err instanceof MigrationRunError, String(err));
      assert.match(err.message, /statement 1 may or may not have finished/);
    } finally {
      await writer.query("ROLLBACK");
      await writer.end();
    }
    const valid = () =>
      withClient(
        config,
        async (c) =>
          (await c.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_id'::regclass")).rows[0]
            .indisvalid,
      );
    assert.equal(await valid(), false, "the kill left an INVALID index");
    const notices: string[] = [];
    const results = await succeeded(
      migrateUp({
        connection: config,
        migrations: [BASE, index],
        onEvent: (e) => e.type === "notice" && notices.push(e.message),
      }),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ["success"],
    );
    assert.equal(await valid(), true, "rebuilt, not accepted as it was");
    assert.match(notices.join("\n"), /index items_id is INVALID .* dropping it to build it again/);
  });

  async function interruptedAt(file: MigrationSource, done: number) {
    const parsed = loadMigrations([file])[0];
    await withClient(config, (c) =>
      c.query(
        `INSERT INTO migrations.history (version, name, checksum, status, execution_mode, statements_done, prefix_checksum)
         VALUES ($1, $2, $3, 'partial', 'no-transaction', $4, $5)`,
        [parsed.version, parsed.name, parsed.checksum, done, prefixChecksum(parsed, done) + RUNNING_MARK],
      ),
    );
  }

  it("a statement that may have finished is not run again: refused with the exact state and the fix", async () => {
    await succeeded(migrateUp({ connection: config, migrations: [BASE] }));
    const file = m(
      "002_backfill.sql",
      "-- migrate:no-transaction\n-- migrate:up\nCREATE TABLE IF NOT EXISTS audit (n int);\nINSERT INTO audit VALUES (1);\nCREATE INDEX CONCURRENTLY audit_n ON audit (n);\n",
    );
    // The server finished statement 2, then the client died before recording it.
    await withClient(config, (c) => c.query("CREATE TABLE audit (n int); INSERT INTO audit VALUES (1)"));
    await interruptedAt(file, 1);
    const err = await failed(migrateUp({ connection: config, migrations: [BASE, file] }));
    assert.match(
      err.message,
      /Cannot resume 002_backfill\.sql safely: .* statement 2 of 3 \(line 4\) was running/s,
    );
    assert.match(err.message, /Statements 1-1 are applied and recorded/);
    const fix = /it finished: +(UPDATE [^\n]+;)/.exec(err.message)![1];
    await withClient(config, (c) => c.query(fix));
    assert.deepEqual(
      (await succeeded(migrateUp({ connection: config, migrations: [BASE, file] }))).map((r) => r.status),
      ["success"],
    );
    const rows = await withClient(config, (c) => c.query("SELECT count(*)::int AS n FROM audit"));
    assert.equal(rows.rows[0].n, 1, "the INSERT ran once");
  });

  it("an in-flight index build that finished is recognised from the catalog and not repeated", async () => {
    await succeeded(migrateUp({ connection: config, migrations: [BASE] }));
    const file = m(
      "002_index.sql",
      "-- migrate:no-transaction\n-- migrate:up\nCREATE INDEX CONCURRENTLY items_id ON items (id);\n",
    );
    await withClient(config, (c) => c.query("CREATE INDEX items_id ON items (id)"));
    await interruptedAt(file, 0);
    const results = await succeeded(migrateUp({ connection: config, migrations: [BASE, file] }));
    assert.deepEqual(
      results.map((r) => r.status),
      ["success"],
    );
  });

  it("down of a no-transaction file runs statement by statement like its up", async () => {
    const file = m(
      "002_index.sql",
      "-- migrate:no-transaction\n-- migrate:up\nCREATE INDEX CONCURRENTLY items_id ON items (id);\n-- migrate:down\nDROP INDEX CONCURRENTLY items_id;\n",
    );
    await succeeded(migrateUp({ connection: config, migrations: [BASE, file] }));
    const down = await succeeded(migrateDown({ connection: config, migrations: [BASE, file] }));
    assert.deepEqual(
      down.map((r) => [r.name, r.status]),
      [["002_index.sql", "success"]],
    );
    const left = await withClient(config, (c) =>
      c.query("SELECT to_regclass('items_id') AS i, (SELECT count(*)::int FROM migrations.history) AS n"),
    );
    assert.deepEqual(left.rows[0], { i: null, n: 1 });
  });
});
