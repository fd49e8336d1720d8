// Issue #20 items 3, 5, 6 on real PostgreSQL 17: what the app and read-only logins could reach past their grants.
// 3: the bootstrap's `ALTER ROLE … PASSWORD 'SCRAM-SHA-256$…'` was visible in pg_stat_activity to the read-only
//    role (pg_monitor). 5: large objects and self-set role defaults. 6: the migrator's advisory-lock key, missing
//    per-login limits, and CONNECT to the `postgres` database.
import { strict as assert } from "node:assert";
import { Client } from "pg";
import { TestPostgres, startPostgres, withClient } from "../../harness/postgres";
import { bootstrap } from "../../migrator";
import { MIGRATION_LOCK_KEY } from "../../migrator/lock";
import { PreparedDatabase, preparedDatabase, stackBootstrapOptions } from "../support/prepared";

const DENIED = (e: { code?: string }) => e.code === "42501";

describe("adversarial: the app and read-only logins stay inside their grants (real PostgreSQL 17)", function () {
  this.timeout(120_000);
  let pg: TestPostgres;
  let db: PreparedDatabase;

  before(async () => {
    pg = await startPostgres({ major: 17 });
    db = await preparedDatabase(pg, "adv_reach");
  });
  after(async () => pg?.stop());

  it("item 3: a read-only session polling pg_stat_activity during 15 bootstraps never sees a verifier", async () => {
    const watcher = new Client(db.as("readonly"));
    await watcher.connect();
    let stop = false;
    const seen: { query: string; state: string }[] = [];
    const poll = (async () => {
      while (!stop) {
        const { rows } = await watcher.query(
          "SELECT query, state FROM pg_stat_activity WHERE usename = 'postgres' AND pid <> pg_backend_pid()",
        );
        seen.push(...rows);
      }
    })();
    try {
      for (let i = 0; i < 15; i++)
        await withClient(db.as("admin"), (admin) =>
          bootstrap(admin as Client, stackBootstrapOptions(db.name)),
        );
    } finally {
      stop = true;
      await poll;
      await watcher.end();
    }
    const bootstrapTexts = seen.filter((s) => /set_config|ALTER ROLE|GRANT|REVOKE|SAVEPOINT/i.test(s.query));
    assert.ok(
      bootstrapTexts.length > 20,
      `the watcher saw the bootstrap at work (${bootstrapTexts.length} captures)`,
    );
    const leaked = seen.filter((s) => /SCRAM-SHA-256\$/.test(s.query));
    assert.deepEqual(leaked.slice(0, 3), [], `${leaked.length} of ${seen.length} captures held a verifier`);
  });

  it("item 6: neither the app nor the read-only role can take the migrator's advisory lock (or any other)", async () => {
    for (const role of ["app", "readonly"] as const)
      await withClient(db.as(role), async (c) => {
        await assert.rejects(
          c.query("SELECT pg_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]),
          DENIED,
          role,
        );
        await assert.rejects(
          c.query("SELECT pg_try_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]),
          DENIED,
        );
        await assert.rejects(c.query("SELECT pg_advisory_xact_lock_shared(1, 2)"), DENIED);
      });
    await withClient(db.as("owner"), async (c) => {
      const { rows } = await c.query("SELECT pg_try_advisory_lock($1::bigint) AS ok", [MIGRATION_LOCK_KEY]);
      assert.equal(rows[0].ok, true, "the owner (the migrator) still can");
    });
  });

  it("item 6: both members of app and read-only carry statement, idle and temp-file limits they cannot lift", async () => {
    for (const role of ["app", "readonly"] as const)
      for (const slot of ["a", "b"] as const)
        await withClient(db.asMember(role, slot), async (c) => {
          const show = async (k: string) => (await c.query(`SHOW ${k}`)).rows[0][k];
          assert.equal(await show("temp_file_limit"), "256MB", `${role}_${slot}`);
          assert.notEqual(await show("statement_timeout"), "0");
          assert.notEqual(await show("idle_in_transaction_session_timeout"), "0");
          await assert.rejects(c.query("SET temp_file_limit = -1"), DENIED);
          await c.query("SET ROLE NONE"); // the member itself (RESET ROLE goes back to the group)
          await assert.rejects(c.query("ALTER ROLE CURRENT_USER SET temp_file_limit = -1"), DENIED);
          await assert.rejects(c.query("SET temp_file_limit = -1"), DENIED);
        });
  });

  it("item 6: the app and read-only logins cannot CONNECT to the postgres database", async () => {
    for (const role of ["app", "readonly"] as const) {
      const c = new Client({ ...db.as(role), database: "postgres" });
      await assert.rejects(c.connect(), (e: { code?: string }) => e.code === "42501", role);
      await c.end().catch(() => undefined);
    }
  });

  it("item 5: no large objects for the app or read-only roles", async () => {
    await withClient(db.as("readonly"), (c) =>
      assert.rejects(c.query("SELECT lo_from_bytea(0, 'persist me'::bytea)"), DENIED),
    );
    await withClient(db.as("app"), async (c) => {
      await assert.rejects(c.query("SELECT lo_create(0)"), DENIED);
      await assert.rejects(c.query("SELECT lo_creat(-1)"), DENIED);
    });
  });

  it("item 5: a default a member set on itself (work_mem 2GB) is gone after the next bootstrap", async () => {
    await withClient(db.as("app"), async (c) => {
      await c.query("SET ROLE NONE"); // the member itself, which may set its own defaults (PostgreSQL allows it)
      await c.query("ALTER ROLE CURRENT_USER SET work_mem = '2GB'");
      await c.query("ALTER ROLE CURRENT_USER SET statement_timeout = 0");
    });
    await withClient(db.as("app"), async (c) => {
      assert.equal((await c.query("SHOW work_mem")).rows[0].work_mem, "2GB", "the member's own default took");
    });
    await withClient(db.as("admin"), (admin) => bootstrap(admin as Client, stackBootstrapOptions(db.name)));
    await withClient(db.as("app"), async (c) => {
      assert.equal((await c.query("SHOW work_mem")).rows[0].work_mem, "4MB");
      assert.equal((await c.query("SHOW statement_timeout")).rows[0].statement_timeout, "1min");
    });
  });
});
