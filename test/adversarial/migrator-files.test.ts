// Reproduced against real PostgreSQL 17: look-alike directives, transaction control, and
// failure explanation without re-running user SQL.
import { strict as assert } from "node:assert";
import { ClientConfig } from "pg";
import {
  MigrationFileError,
  MigrationRunError,
  MigrationSource,
  migrateDown,
  migrateUp,
} from "../../migrator";
import { sharedPostgres, withClient } from "../../testbed/postgres";
import { failed, succeeded } from "../support/migrate";

const m = (name: string, sql: string): MigrationSource => ({ name, sql });
const exists = (config: ClientConfig, table: string) =>
  withClient(config, async (c) => (await c.query("SELECT to_regclass($1) AS t", [table])).rows[0].t !== null);
const historyCount = (config: ClientConfig) =>
  withClient(config, async (c) => {
    const { rows } = await c.query("SELECT to_regclass('migrations.history') AS t");
    if (!rows[0].t) return 0;
    return Number((await c.query("SELECT count(*) AS n FROM migrations.history")).rows[0].n);
  });

describe("adversarial: migration files (real PostgreSQL 17)", function () {
  let config: ClientConfig;
  beforeEach(async () => {
    const pg = await sharedPostgres();
    config = pg.config(await pg.createDatabase("advmig"));
  });

  it("an indented -- migrate:down is refused, not read as a comment that runs the down SQL during up", async () => {
    for (const down of ["  -- migrate:down", "-- Migrate:down", "-- migrate: down"]) {
      const file = m(
        "001_keep.sql",
        `-- migrate:up\nCREATE TABLE keepme (id int);\n${down}\nDROP TABLE keepme;\n`,
      );
      const err = await failed(migrateUp({ connection: config, migrations: [file] }));
      assert.ok(err instanceof MigrationFileError, String(err));
      assert.match(err.message, /001_keep\.sql \(line 3\): ".*" looks like a directive but is not one/);
    }
    assert.equal(await exists(config, "keepme"), false, "nothing ran");
    const noUp = await failed(
      migrateUp({
        connection: config,
        migrations: [m("001_a.sql", "CREATE TABLE a (id int);")],
      }),
    );
    assert.match(String(noUp), /001_a\.sql \(line 1\): no "-- migrate:up" line/);
    assert.equal(await exists(config, "a"), false);
  });

  it("ABORT in up and COMMIT in down are refused before anything runs", async () => {
    const abort = m(
      "001_a.sql",
      "-- migrate:up\nCREATE TABLE a (id int);\nABORT;\nCREATE TABLE b (id int);\n",
    );
    assert.match(
      (await failed(migrateUp({ connection: config, migrations: [abort] }))).message,
      /\(line 3\): "ABORT" in the up/,
    );
    assert.equal(await exists(config, "b"), false);
    const ok = m("001_d.sql", "-- migrate:up\nCREATE TABLE d1 (id int);\n");
    await succeeded(migrateUp({ connection: config, migrations: [ok] }));
    const withDown = m("001_d.sql", `${ok.sql}-- migrate:down\nDROP TABLE d1;\nCOMMIT;\nDROP TABLE typo;\n`);
    assert.match(
      (await failed(migrateDown({ connection: config, migrations: [withDown] }))).message,
      /001_d\.sql \(line 5\): "COMMIT" in the down section controls the transaction/,
    );
    assert.equal(await exists(config, "d1"), true, "d1 not dropped");
    assert.equal(await historyCount(config), 1, "still recorded as applied, and it is");
  });

  it("a COMMIT the parser cannot see (standard_conforming_strings off) is caught before success is recorded", async () => {
    // 001 leaves standard_conforming_strings off for the session. The server then reads 'x\'' as the string
    // x', so ";COMMIT;" in 003 is top level for the server while the file's own (standard) reading keeps it
    // in the string.
    const files = [
      m("001_legacy.sql", "-- migrate:up\nSET standard_conforming_strings = off;\n"),
      m("002_boundary.sql", "-- migrate:no-transaction\n-- migrate:up\nSELECT 1;\n"),
      m(
        "003_sneaky.sql",
        "-- migrate:up\nCREATE TABLE before_commit (id int);\nSELECT 'x\\'';COMMIT;--';\nCREATE TABLE after_commit (id int);\n",
      ),
    ];
    const { error: err, results } = await migrateUp({ connection: config, migrations: files });
    assert.ok(err instanceof MigrationRunError, String(err));
    assert.match(
      err.message,
      /003_sneaky\.sql \(up\) failed: the migration's transaction ended inside the file/,
    );
    assert.match(err.message, /ended the runner's transaction .* NOT recorded as applied/s);
    assert.equal(await exists(config, "before_commit"), true, "committed by the file's own COMMIT");
    assert.equal(await exists(config, "after_commit"), false, "nothing after the COMMIT was kept");
    assert.equal(await historyCount(config), 2, "003 is not recorded as applied");
    assert.deepEqual(
      results.map((r) => r.status),
      ["success", "success", "error"],
    );
  });

  it("locates the failing statement from the error position and never runs user SQL twice", async () => {
    await succeeded(
      migrateUp({
        connection: config,
        migrations: [
          m("001_seq.sql", "-- migrate:up\nCREATE SEQUENCE calls;\nCREATE TABLE calls_log (t text);\n"),
        ],
      }),
    );
    const failing = m(
      "002_fail.sql",
      // nextval is not transactional: a replay of the file would leave the sequence at 2.
      "-- migrate:up\nSELECT nextval('calls');\nINSERT INTO calls_log\n  SELECT 'é𝄞'\n  FROM no_such_table;\n",
    );
    const err = await failed(
      migrateUp({
        connection: config,
        migrations: [
          m("001_seq.sql", "-- migrate:up\nCREATE SEQUENCE calls;\nCREATE TABLE calls_log (t text);\n"),
          failing,
        ],
      }),
    );
    assert.ok(err instanceof MigrationRunError, String(err));
    assert.match(
      err.message,
      /002_fail\.sql \(up\) failed at line 5: relation "no_such_table" does not exist/,
    );
    assert.match(err.message, /statement: INSERT INTO calls_log/);
    const calls = await withClient(config, (c) => c.query("SELECT last_value FROM calls"));
    assert.equal(Number(calls.rows[0].last_value), 1, "the file ran exactly once");
  });

  it("in a batch of files, those before the failing one are applied, the failing one and later are not", async () => {
    const files = [
      m("001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n"),
      m("002_b.sql", "-- migrate:up\nCREATE TABLE b (id int);\n"),
      m("003_c.sql", "-- migrate:up\nCREATE TABLE c (id int);\nINSERT INTO c VALUES (1/0);\n"),
      m("004_d.sql", "-- migrate:up\nCREATE TABLE d (id int);\n"),
    ];
    const { error: err, results } = await migrateUp({ connection: config, migrations: files });
    assert.ok(err instanceof MigrationRunError, String(err));
    // Division by zero has no position: the CommandComplete count finds the statement.
    assert.match(err.message, /003_c\.sql \(up\) failed at line 3: division by zero/);
    assert.deepEqual(
      results.map((r) => r.status),
      ["success", "success", "error", "not-executed"],
    );
    assert.deepEqual(await Promise.all(["a", "b", "c", "d"].map((t) => exists(config, t))), [
      true,
      true,
      false,
      false,
    ]);
    assert.equal(await historyCount(config), 2);
  });
});
