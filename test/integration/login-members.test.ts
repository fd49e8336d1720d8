// The bootstrap's group / member roles on real PostgreSQL 17: what the catalog says, and what a member session
// may do when it stops acting as the group (RESET ROLE), or when the group also serves IAM logins.
import { strict as assert } from "node:assert";
import { Client } from "pg";
import { bootstrap } from "../../migrator";
import { MEMBER_LIMITS } from "../../migrator/bootstrap-hardening";
import { sharedPostgres, withClient } from "../../harness/postgres";
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

  it("with IAM authentication the read-only group keeps LOGIN (no password) for IAM tokens; its members are unchanged", async () => {
    const pg = await sharedPostgres();
    const db = await preparedDatabase(pg, "members_iam");
    await withClient(db.as("admin"), async (admin) => {
      // rds_iam exists on RDS only; a stand-in role of that name lets the grant run here.
      await admin.query(
        "DO $$ BEGIN CREATE ROLE rds_iam NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
      );
      await bootstrap(admin as Client, {
        ...stackBootstrapOptions(db.name),
        rdsIamRoles: ["offthegrid_readonly"],
      });
      const { rows } = await admin.query(
        "SELECT rolname, rolcanlogin, rolpassword IS NULL AS nopassword FROM pg_authid WHERE rolname = 'offthegrid_readonly'",
      );
      assert.deepEqual(rows, [{ rolname: "offthegrid_readonly", rolcanlogin: true, nopassword: true }]);
      // Back to no IAM: the group is NOLOGIN again, and the stand-in leaves no trace in other tests.
      await bootstrap(admin as Client, stackBootstrapOptions(db.name));
      await admin.query("REVOKE rds_iam FROM offthegrid_readonly");
      const after = await admin.query(
        "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'offthegrid_readonly'",
      );
      assert.equal(after.rows[0].rolcanlogin, false);
    });
    const ro = await withClient(db.asMember("readonly", "b"), (c) =>
      c.query("SELECT count(*)::int AS n FROM users"),
    );
    assert.equal(ro.rows[0].n, 0);
  });
});
