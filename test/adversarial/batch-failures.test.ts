// A failed run names the file that was running and reports exactly what committed, whatever the failure: the
// invariant is attacked with every failure kind the server can raise at every position of a batch, and with
// the session dying mid-batch (the server buffers its replies, so the reply count trails what had committed).
// A lock timeout names the session that held the lock.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Client, ClientConfig } from "pg";
import { pgClient } from "../../testbed/pg-client";
import { MigrationRunError, MigrationSource, migrateUp } from "../../migrator";
import { TestPostgres, sharedPostgres, startPostgres, withClient } from "../../testbed/postgres";

const FILES = 3;
const file = (i: number, body: string, header = ""): MigrationSource => ({
  name: `00${i + 1}_f.sql`,
  sql: `${header}-- migrate:up\nCREATE TABLE t${i} (id int);\n${body}\n`,
});
const history = (config: ClientConfig) =>
  withClient(
    config,
    async (c) => (await c.query("SELECT name FROM migrations.history ORDER BY version")).rows,
  );

/** Each way a statement (or its COMMIT) fails with an error from the server. */
const FAILURES: Record<string, { body: string; header?: string; sqlstate: string }> = {
  "an error with a position": { body: "SELECT * FROM nope;", sqlstate: "42P01" },
  "an error without a position": { body: "SELECT 1/0;", sqlstate: "22012" },
  "a deferred constraint at COMMIT": {
    body: "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE ch (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED); INSERT INTO ch VALUES (7);",
    sqlstate: "23503",
  },
  "a statement timeout": {
    body: "SELECT pg_sleep(3);",
    header: "-- migrate:statement-timeout 1s\n",
    sqlstate: "57014",
  },
  "a lock timeout": { body: "LOCK TABLE held IN ACCESS SHARE MODE;", sqlstate: "55P03" },
  "the session terminated": { body: "SELECT pg_terminate_backend(pg_backend_pid());", sqlstate: "57P01" },
  "an exception raised in PL/pgSQL": { body: "DO $$BEGIN RAISE EXCEPTION 'boom'; END$$;", sqlstate: "P0001" },
};

describe("adversarial: a failed batch names the running file and what committed (real PostgreSQL 17)", function () {
  let config: ClientConfig;
  let blocker: Client;
  beforeEach(async () => {
    const pg = await sharedPostgres();
    config = pg.config(await pg.createDatabase("batchfail"));
    await withClient(config, (c) => c.query("CREATE TABLE held (id int)"));
    blocker = pgClient({ ...config, application_name: "the-blocker" });
    await blocker.connect();
    await blocker.query("BEGIN; LOCK TABLE held IN ACCESS EXCLUSIVE MODE");
  });
  afterEach(() => blocker.end());

  for (const [kind, f] of Object.entries(FAILURES)) {
    for (let at = 0; at < FILES; at++) {
      it(`${kind} in file ${at + 1} of ${FILES}`, async () => {
        const files = [...Array(FILES).keys()].map((i) =>
          i === at ? file(i, f.body, f.header) : file(i, "SELECT 1;"),
        );
        const { error, results } = await migrateUp({ connection: config, migrations: files, lockRetries: 0 });
        assert.ok(error instanceof MigrationRunError, String(error));
        assert.match(error.message, new RegExp(`^Migration 00${at + 1}_f\\.sql \\(up\\) failed`));
        assert.equal(error.failure.sqlstate, f.sqlstate);
        assert.deepEqual(
          results.map((r) => r.status),
          files.map((_, i) => (i < at ? "success" : i === at ? "error" : "not-executed")),
        );
        assert.deepEqual(
          (await history(config)).map((r) => r.name),
          files.slice(0, at).map((m) => m.name),
        );
      });
    }
  }

  it("a lock timeout names the session that held the lock: pid, role, application_name and since when", async () => {
    const pid = (await blocker.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    for (const [header, kind] of [
      ["", "transactional"],
      ["-- migrate:no-transaction\n", "no-transaction"],
    ]) {
      const { error } = await migrateUp({
        connection: config,
        migrations: [file(0, "INSERT INTO held VALUES (1);", header)],
        lockRetries: 0,
      });
      assert.match(
        String(error?.message),
        new RegExp(
          `blocked by: backend pid ${pid} \\(role postgres, application_name "the-blocker", transaction open since ` +
            `\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, \\d+ s\\) holds AccessExclusiveLock on held`,
        ),
        `${kind}: ${error?.message}`,
      );
    }
  });
});

describe("adversarial: the session dies mid-batch (a dedicated PostgreSQL 17)", function () {
  let pg: TestPostgres;
  beforeEach(async () => (pg = await startPostgres({ keepData: false })));
  afterEach(() => pg.stop().catch(() => undefined));

  /** Runs three files, the second sleeping, and does `kill` to the server once the second is running. */
  const runAndKill = async (config: ClientConfig, kill: (backendPid: number) => Promise<void>) => {
    const files = [file(0, "SELECT 1;"), file(1, "SELECT pg_sleep(5);"), file(2, "SELECT 1;")];
    const killer = (async () => {
      for (;;) {
        await new Promise((r) => setTimeout(r, 100));
        const rows = await withClient(
          config,
          async (c) => (await c.query("SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep'")).rows,
        );
        // A second on: the first file's commit (asynchronous inside a batch) is flushed by the WAL writer by
        // then.
        if (rows.length) return new Promise((r) => setTimeout(r, 1_000)).then(() => kill(rows[0].pid));
      }
    })();
    const outcome = await migrateUp({
      connection: config,
      migrations: files,
      lockRetries: 0,
      connectDeadlineMs: 3_000,
    });
    await killer;
    return outcome;
  };

  it("the backend killed (SIGKILL, the server restarts): the history, not the reply count, says what committed", async () => {
    const config = pg.config(await pg.createDatabase("crash"));
    const { error, results } = await runAndKill(config, async (pid) => void process.kill(pid, "SIGKILL"));
    assert.ok(error instanceof MigrationRunError, String(error));
    assert.match(error.message, /^Migration 002_f\.sql \(up\) failed: /);
    assert.match(
      error.message,
      /the history table \(read after the connection died\) does not hold it, nor 003_f\.sql/,
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ["success", "error", "not-executed"],
    );
    assert.deepEqual(
      (await history(config)).map((r) => r.name),
      ["001_f.sql"],
    );
  });

  it("the server gone for good: the message says the in-flight files' state is unknown and how to find it", async () => {
    const config = pg.config(await pg.createDatabase("gone"));
    const postmaster = await withClient(config, async (c) => {
      const dir = (await c.query("SHOW data_directory")).rows[0].data_directory;
      return Number(fs.readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n")[0]);
    });
    const { error, results } = await runAndKill(config, async (backend) => {
      process.kill(postmaster, "SIGKILL");
      process.kill(backend, "SIGKILL");
    });
    assert.ok(error instanceof MigrationRunError, String(error));
    assert.match(error.message, /had not confirmed 00[12]_f\.sql or the files after it/);
    assert.match(error.message, /could not be asked afterwards/);
    assert.match(error.message, /`migrate status` tells which/);
    assert.doesNotMatch(error.message, /its transaction was rolled back/);
    assert.equal(results.filter((r) => r.status === "error").length, 1);
  });
});
