// Follow-through: the stack's bootstrap and `db backup` / `db restore --force` where the admin is
// not a superuser, as on RDS (test/support/rds-master.ts). PostgreSQL 15 (Debian's pg_dump 15 dumps it) and
// 17 (what the stack deploys; the 15 dump is restored into it): 16+ gives a CREATEROLE role ADMIN on the
// roles it creates and requires it, 15 lets CREATEROLE grant any non-superuser role. Both refuse
// NOSUPERUSER/NOREPLICATION in a non-superuser's ALTER ROLE, and both refuse it REASSIGN/DROP OWNED of a role
// whose privileges it lacks.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pgClient } from "../../testbed/pg-client";
import { TestPostgres, startPostgres, withClient } from "../../testbed/postgres";
import { postgresParameters } from "../../stack/postgres/rds-parameters";
import { stackBootstrapOptions } from "../support/prepared";
import { bin } from "../support/bin";
import { MASTER, RdsLikeDatabase, createMaster, rdsLikeDatabase } from "../support/rds-master";

/**
 * The stack's RDS parameter group's pg_stat_statements settings, as server flags (track = all among them).
 */
const PG_STAT_STATEMENTS_PARAMETERS = postgresParameters({
  instanceClass: "db.t4g.micro",
  maxConnections: 100,
})
  .filter((p) => p.name.startsWith("pg_stat_statements."))
  .flatMap((p) => ["-c", `${p.name}=${p.value}`]);

async function seed(db: RdsLikeDatabase): Promise<void> {
  await withClient(db.as("app"), (c) =>
    c.query(
      `INSERT INTO users (wallet_address)
       SELECT '9' || translate(md5(g::text) || md5((g + 9)::text), '0', 'z') FROM generate_series(1, 50) g`,
    ),
  );
}

/** Row count and content checksum of users, read as the read-only role. */
async function fingerprint(db: RdsLikeDatabase): Promise<unknown> {
  return withClient(db.as("readonly"), async (c) => {
    const { rows } = await c.query(
      "SELECT count(*)::int AS n, md5(string_agg(wallet_address, ',' ORDER BY wallet_address)) AS sum FROM users",
    );
    return rows[0];
  });
}

/** What must hold after a restore run by the master: its own rights unchanged, nothing left behind. */
async function afterRestore(pg: TestPostgres, db: RdsLikeDatabase): Promise<void> {
  await withClient(pg.config(db.name), async (c) => {
    const { rows } = await c.query(
      `SELECT rolname, rolsuper FROM pg_roles
        WHERE rolname LIKE 'offthegrid\\_restore\\_%' OR rolsuper AND rolname <> 'postgres' ORDER BY 1`,
    );
    assert.deepEqual(rows, [], "no restore login left, no new superuser");
    const { rows: owners } = await c.query(
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class
        WHERE relnamespace IN ('public'::regnamespace, 'migrations'::regnamespace) AND relkind IN ('r', 'v', 'S')
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = pg_class.oid AND d.deptype = 'e')`,
    );
    assert.deepEqual(owners, [{ owner: "offthegrid_owner" }]);
  });
}

describe("RDS-like admin (non-superuser CREATEROLE): bootstrap, backup and restore --force (real PostgreSQL 15 and 17)", function () {
  this.timeout(180_000);
  let pg15: TestPostgres;
  let pg17: TestPostgres;
  let db15: RdsLikeDatabase;
  let db17: RdsLikeDatabase;
  let dump: string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-rds-master-"));

  before(async () => {
    [pg15, pg17] = await Promise.all([
      startPostgres({ major: 15 }),
      startPostgres({ major: 17, extraFlags: PG_STAT_STATEMENTS_PARAMETERS }),
    ]);
    await Promise.all([createMaster(pg15), createMaster(pg17)]);
    db15 = await rdsLikeDatabase(pg15, "rds15");
    db17 = await rdsLikeDatabase(pg17, "rds17");
    await seed(db15);
  });
  after(async () => {
    await Promise.all([pg15?.stop(), pg17?.stop()]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("the master runs the bootstrap again (roles it created, ADMIN on 17) and is told what it could not do", async () => {
    for (const db of [db15, db17]) {
      const report = await db.bootstrap();
      const warnings = report.warnings.join("\n");
      assert.match(warnings, /temp_file_limit could not be set for offthegrid_app_a: permission denied/);
      assert.match(
        warnings,
        /PUBLIC can still execute 23 catalog functions this admin may not revoke.*lo_create\(oid\)/,
      );
      assert.match(warnings, /CONNECT and TEMPORARY on database postgres are still granted to PUBLIC/);
      const { rows } = await withClient(db.master, (c) =>
        c.query("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"),
      );
      assert.deepEqual(rows, [{ rolsuper: false, rolcreaterole: true }]);
    }
  });

  // Where the admin is not a superuser: it may not switch pg_stat_statements.track_utility off for
  // its own transaction, and with track = all the DO block's ALTER ROLE … PASSWORD statements were recorded
  // with their verifiers (every member's, every bootstrap), readable by the read-only role through
  // pg_monitor.
  it("PostgreSQL 17 with the parameter group's settings: no verifier in pg_stat_statements after the master's bootstrap", async () => {
    await db17.bootstrap();
    await withClient(db17.as("readonly"), async (c) => {
      const { rows } = await c.query("SELECT count(*)::int AS n FROM monitoring.pg_stat_statements");
      assert.ok(rows[0].n > 0, "the read-only role reads pg_stat_statements (not vacuous)");
      const { rows: leaked } = await c.query(
        "SELECT left(query, 60) AS query FROM monitoring.pg_stat_statements WHERE query LIKE '%SCRAM-SHA-256$%'",
      );
      assert.deepEqual(leaked, []);
    });
  });

  it("backup as read-only, restore --force as the master, through the compiled CLI (15, then the 15 dump into 17)", async () => {
    const backup = await bin("offthegrid-db", ["backup", "--postgres-only", "--dir", tmp, "--json"], {
      DATABASE_URL: db15.url("readonly"),
    });
    assert.equal(backup.code, 0, backup.stderr);
    dump = JSON.parse(backup.stdout).postgres;
    const before = await fingerprint(db15);
    assert.deepEqual(before, { n: 50, sum: (before as { sum: string }).sum });
    for (const [pg, db] of [
      [pg15, db15],
      [pg17, db17],
    ] as const) {
      const restore = await bin(
        "offthegrid-db",
        ["restore", dump, "--force", "--database", db.name, "--json"],
        {
          ADMIN_DATABASE_URL: db.masterUrl,
        },
      );
      assert.equal(restore.code, 0, `${db.name}: ${restore.stderr}`);
      assert.ok(
        JSON.parse(restore.stdout).migrations.every((m: { state: string }) => m.state === "applied"),
        "the status read after the restore (acting as the owner) worked for the master",
      );
      assert.deepEqual(await fingerprint(db), before, db.name);
      await afterRestore(pg, db);
    }
  });

  it("PostgreSQL 17: the bootstrap names a stack role the master has no ADMIN OPTION on, and the fix", async () => {
    await withClient(pg17.config(), (c) => c.query("CREATE ROLE foreign_owner NOLOGIN"));
    const options = stackBootstrapOptions(db17.name, "prod");
    await assert.rejects(
      db17.bootstrap({
        ...options,
        roles: { ...options.roles, owner: "foreign_owner" },
        members: { ...options.members, owner: ["foreign_owner_a"] },
        setPasswords: {},
      }),
      new RegExp(
        `The admin ${MASTER} is not a superuser and cannot manage the stack's roles: ${MASTER} has no ADMIN ` +
          `OPTION on foreign_owner \\(another role created it\\): as that role or a superuser, GRANT foreign_owner TO ${MASTER} WITH ADMIN OPTION`,
      ),
    );
  });

  it("the watchdog, run as the master, ends an app session holding the migrator's lock (not revocable here)", async () => {
    const holder = pgClient(db17.as("app"));
    holder.on("error", () => undefined);
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(7341823113222001)");
      const run = await bin("offthegrid-db", ["watchdog"], { ADMIN_DATABASE_URL: db17.masterUrl });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /ended pid \d+ \(offthegrid_app_a\): holds the migrator's advisory lock/);
      await assert.rejects(holder.query("SELECT 1"));
    } finally {
      await holder.end().catch(() => undefined);
    }
  });
});
