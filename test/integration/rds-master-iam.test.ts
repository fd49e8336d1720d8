// With the RDS-like admin (test/support/rds-master.ts: a non-superuser CREATEROLE master in a
// stand-in rds_superuser): the IAM login is created, granted rds_iam and taken back by the master itself, as
// on RDS, and a grant of rds_iam to the read-only group left by an earlier bootstrap is revoked. rds_iam
// is a stand-in here (grantable by rds_superuser, as RDS's master grants it); what RDS does at login with it
// is not modelled.
import { strict as assert } from "node:assert";
import { type Client } from "pg";
import { TestPostgres, startPostgres, withClient } from "../../testbed/postgres";
import { bootstrap } from "../../migrator";
import { stackBootstrapOptions } from "../support/prepared";
import { RdsLikeDatabase, createMaster, rdsLikeDatabase } from "../support/rds-master";

const iamLogins = [{ name: "offthegrid_readonly_iam", role: "readonly" as const }];

describe("IAM login bootstrapped by an RDS-like master (non-superuser CREATEROLE, PostgreSQL 17)", function () {
  this.timeout(120_000);
  let pg: TestPostgres;
  let db: RdsLikeDatabase;
  before(async () => {
    pg = await startPostgres({ major: 17 });
    await createMaster(pg);
    await withClient(pg.config(), (c) =>
      c.query("CREATE ROLE rds_iam NOLOGIN; GRANT rds_iam TO rds_superuser WITH ADMIN OPTION"),
    );
    db = await rdsLikeDatabase(pg, "rdsiam");
  });
  after(async () => pg?.stop());

  const holders = () =>
    withClient(pg.config(db.name), async (c) => {
      const { rows } = await c.query(
        `SELECT r.rolname, r.rolcanlogin AS login FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
          WHERE m.roleid = 'rds_iam'::regrole AND r.rolname LIKE 'offthegrid\\_%' ORDER BY 1`,
      );
      return rows;
    });

  it("moves rds_iam from the read-only group (the old grant, made by the master) to offthegrid_readonly_iam, and back off", async () => {
    await withClient(db.master, (c) => c.query("GRANT rds_iam TO offthegrid_readonly"));
    assert.deepEqual(await holders(), [{ rolname: "offthegrid_readonly", login: false }]);
    const report = await withClient(db.master, (c) =>
      bootstrap(c as Client, { ...stackBootstrapOptions(db.name, "prod"), iamLogins }),
    );
    assert.ok(!report.warnings.some((w) => /rds_iam/.test(w)), report.warnings.join("\n"));
    assert.deepEqual(await holders(), [{ rolname: "offthegrid_readonly_iam", login: true }]);
    await db.bootstrap();
    assert.deepEqual(await holders(), [], "IAM off: the login loses rds_iam");
    const { rows } = await withClient(pg.config(db.name), (c) =>
      c.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'offthegrid_readonly_iam'"),
    );
    assert.deepEqual(rows, [{ rolcanlogin: false }], "…and LOGIN");
    // The read-only password path is intact throughout.
    const n = await withClient(db.as("readonly"), (c) => c.query("SELECT count(*)::int AS n FROM users"));
    assert.equal(n.rows[0].n, 0);
  });
});
