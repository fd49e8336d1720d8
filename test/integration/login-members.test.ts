// The bootstrap's group / member roles on real PostgreSQL 17: what the catalog says, and what a member
// session may do when it stops acting as the group (RESET ROLE), and the separate IAM login.
import { strict as assert } from "node:assert";
import { type Client } from "pg";
import { bootstrap } from "../../migrator";
import { MEMBER_LIMITS } from "../../migrator/bootstrap-hardening";
import { sharedPostgres, withClient } from "../../testbed/postgres";
import { preparedDatabase, stackBootstrapOptions } from "../support/prepared";

/** The per-login limits the bootstrap gives app and read-only members, as pg_db_role_setting lists them. */
const memberLimits = (group: string): string[] => {
  const key = group === "offthegrid_app" ? "app" : group === "offthegrid_readonly" ? "readonly" : undefined;
  return key ? Object.entries(MEMBER_LIMITS[key]).map(([k, v]) => `${k}=${v}`) : [];
};

describe("alternating login members (bootstrap, real PostgreSQL 17)", function () {
  it("groups cannot log in and hold no password; members log in, inherit the group and start as it", async () => {
    const db = await preparedDatabase(await sharedPostgres(), "members");
    const { rows } = await withClient(db.as("admin"), (c) =>
      c.query(
        `SELECT a.rolname, a.rolcanlogin AS login, a.rolinherit AS inherit, a.rolpassword IS NOT NULL AS password,
                coalesce((SELECT array_agg(g.rolname::text ORDER BY g.rolname) FROM pg_auth_members m
                           JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = a.oid), '{}') AS member_of,
                (SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setrole = a.oid AND s.setdatabase = 0) AS setconfig
           FROM pg_authid a WHERE a.rolname LIKE 'offthegrid\\_%' ORDER BY a.rolname`,
      ),
    );
    const byName = Object.fromEntries(rows.map((r) => [r.rolname, r]));
    for (const group of ["offthegrid_owner", "offthegrid_app", "offthegrid_readonly"]) {
      assert.equal(byName[group].login, false, group);
      assert.equal(byName[group].password, false, `${group} has no password`);
      for (const slot of ["a", "b"]) {
        const m = byName[`${group}_${slot}`];
        assert.deepEqual(
          [m.login, m.inherit, m.password, m.member_of, m.setconfig],
          [true, true, true, [group], [`role=${group}`, ...memberLimits(group)]],
          m.rolname,
        );
      }
    }
  });

  it("an owner member stays the group through RESET ROLE / DISCARD ALL, still alters what the group owns, and the other member alters what it made", async () => {
    const db = await preparedDatabase(await sharedPostgres(), "members_reset");
    await withClient(db.asMember("owner", "a"), async (c) => {
      // RESET ROLE and DISCARD ALL (what poolers send) go back to the login's default: the group.
      for (const reset of ["RESET ROLE", "DISCARD ALL"]) {
        await c.query(reset);
        assert.equal((await c.query("SELECT current_user AS u")).rows[0].u, "offthegrid_owner", reset);
      }
      await c.query("SET ROLE NONE");
      assert.equal((await c.query("SELECT current_user AS u")).rows[0].u, "offthegrid_owner_a");
      await c.query("ALTER TABLE users ADD COLUMN reset_role_note text");
    });
    await withClient(db.asMember("owner", "b"), async (c) => {
      await c.query("CREATE TABLE made_by_b (id int)");
      assert.equal(
        (await c.query("SELECT pg_get_userbyid(relowner) AS o FROM pg_class WHERE relname = 'made_by_b'"))
          .rows[0].o,
        "offthegrid_owner",
      );
    });
    await withClient(db.asMember("owner", "a"), (c) => c.query("DROP TABLE made_by_b"));
  });

  // rds_iam exists on RDS only; a stand-in role of that name lets the grants run here. Roles are
  // cluster-wide, so each test removes the stand-in and the IAM login again.
  const standIn =
    "DO $$ BEGIN CREATE ROLE rds_iam NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$";
  const cleanUp = (admin: { query(sql: string): Promise<unknown> }) =>
    admin.query("DROP ROLE IF EXISTS offthegrid_readonly_iam; DROP ROLE IF EXISTS rds_iam");
  const iamMembership = (admin: Client) =>
    admin
      .query(
        `SELECT r.rolname, pg_has_role(r.oid, 'rds_iam', 'MEMBER') AS iam FROM pg_roles r
          WHERE r.rolname LIKE 'offthegrid\\_readonly%' ORDER BY r.rolname`,
      )
      .then((res) => Object.fromEntries(res.rows.map((r) => [r.rolname, r.iam])));
  const iamLogins = [{ name: "offthegrid_readonly_iam", role: "readonly" as const }];

  it("IAM authentication is its own login (offthegrid_readonly_iam, no password, rds_iam); the read-only group and its password members never hold rds_iam", async () => {
    const db = await preparedDatabase(await sharedPostgres(), "members_iam");
    await withClient(db.as("admin"), async (admin) => {
      await admin.query(standIn);
      try {
        // What an earlier bootstrap left behind: rds_iam on the group, so every member inherited it.
        await admin.query("GRANT rds_iam TO offthegrid_readonly; ALTER ROLE offthegrid_readonly LOGIN");
        const report = await bootstrap(admin as Client, { ...stackBootstrapOptions(db.name), iamLogins });
        assert.deepEqual(report.warnings, []);
        assert.deepEqual(await iamMembership(admin as Client), {
          offthegrid_readonly: false,
          offthegrid_readonly_a: false,
          offthegrid_readonly_b: false,
          offthegrid_readonly_iam: true,
        });
        const { rows } = await admin.query(
          `SELECT a.rolcanlogin AS login, a.rolpassword IS NULL AS nopassword, a.rolinherit AS inherit,
                  pg_has_role(a.oid, 'offthegrid_readonly', 'MEMBER') AS readonly,
                  (SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setrole = a.oid AND s.setdatabase = 0) AS setconfig
             FROM pg_authid a WHERE a.rolname IN ('offthegrid_readonly', 'offthegrid_readonly_iam') ORDER BY a.rolname`,
        );
        assert.deepEqual(
          rows.map((r) => [r.login, r.nopassword, r.inherit, r.readonly]),
          [
            [false, true, true, true],
            [true, true, true, true],
          ],
          "group NOLOGIN again; the IAM login logs in, has no password and inherits the group",
        );
        assert.deepEqual(rows[1].setconfig, [
          "role=offthegrid_readonly",
          ...Object.entries(MEMBER_LIMITS.readonly).map(([k, v]) => `${k}=${v}`),
        ]);
        // The IAM login's privileges are the group's: it reads, it does not write.
        await admin.query("SET ROLE offthegrid_readonly_iam");
        assert.equal((await admin.query("SELECT count(*)::int AS n FROM users")).rows[0].n, 0);
        await assert.rejects(admin.query("DELETE FROM users"), /permission denied/);
        await admin.query("RESET ROLE");
        // IAM off again: the login loses rds_iam and LOGIN; nothing else changes.
        await bootstrap(admin as Client, stackBootstrapOptions(db.name));
        assert.equal((await iamMembership(admin as Client)).offthegrid_readonly_iam, false);
        const off = await admin.query(
          "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'offthegrid_readonly_iam'",
        );
        assert.equal(off.rows[0].rolcanlogin, false);
      } finally {
        await admin.query("RESET ROLE");
        await cleanUp(admin);
      }
    });
    // The password path of the read-only members works throughout.
    const ro = await withClient(db.asMember("readonly", "b"), (c) =>
      c.query("SELECT count(*)::int AS n FROM users"),
    );
    assert.equal(ro.rows[0].n, 0);
    const who = await withClient(db.asMember("readonly", "a"), (c) => c.query("SELECT current_user AS u"));
    assert.equal(who.rows[0].u, "offthegrid_readonly");
  });

  it("where rds_iam does not exist (not RDS) the IAM login is created NOLOGIN and the bootstrap says why", async () => {
    const db = await preparedDatabase(await sharedPostgres(), "members_no_iam");
    await withClient(db.as("admin"), async (admin) => {
      await cleanUp(admin);
      try {
        const report = await bootstrap(admin as Client, { ...stackBootstrapOptions(db.name), iamLogins });
        assert.equal(report.warnings.length, 1, report.warnings.join("\n"));
        assert.match(
          report.warnings[0],
          /rds_iam does not exist on this server .*offthegrid_readonly_iam was created NOLOGIN/,
        );
        const { rows } = await admin.query(
          "SELECT rolcanlogin, rolpassword IS NULL AS nopassword FROM pg_authid WHERE rolname = 'offthegrid_readonly_iam'",
        );
        assert.deepEqual(rows, [{ rolcanlogin: false, nopassword: true }]);
      } finally {
        await cleanUp(admin);
      }
    });
  });
});
