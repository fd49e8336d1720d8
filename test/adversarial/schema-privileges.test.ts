// Reproduced as an attacker holding the app or read-only role's password.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { type Client } from "pg";
import { bootstrap } from "../../migrator/bootstrap";
import { scramSha256Verifier } from "../../migrator";
import { TestPostgres, sharedPostgres, withClient } from "../../testbed/postgres";
import { PreparedDatabase, preparedDatabase, stackBootstrapOptions } from "../support/prepared";

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const wallet = () => "9" + Array.from(randomBytes(50), (b) => BASE58[b % 58]).join("");
const DENIED = (e: { code?: string }) => e.code === "42501";

describe("adversarial: privileges in the schema (real PostgreSQL 17)", function () {
  this.timeout(60_000);
  let pg: TestPostgres;
  let db: PreparedDatabase;
  let user: string;

  before(async () => {
    pg = await sharedPostgres();
    db = await preparedDatabase(pg, "adv_priv");
    user = await withClient(db.as("app"), async (c) => {
      const { rows } = await c.query("INSERT INTO users (wallet_address) VALUES ($1) RETURNING id", [
        wallet(),
      ]);
      return rows[0].id as string;
    });
  });

  const profit = () =>
    withClient(db.as("admin"), async (c) =>
      Number(
        (await c.query("SELECT completed_profit_erg FROM user_trading_stats WHERE user_id = $1", [user]))
          .rows[0].completed_profit_erg,
      ),
    );

  // Item 1: EXECUTE was granted to PUBLIC on every function, SECURITY DEFINER rollup writers included.
  for (const role of ["readonly", "app"] as const) {
    it(`${role}: the rollup maintenance functions are not callable (001's forgeable apply_grid_delta is gone)`, async () => {
      await withClient(db.as(role), async (c) => {
        // 004 dropped apply_grid_delta(uuid, integer, user_grids): the forged-row route no longer exists at
        // all.
        await assert.rejects(
          c.query(
            `SELECT apply_grid_delta(user_id, 1, jsonb_populate_record(NULL::user_grids, '{"status": "completed", "profit_erg": 1000000, "profit_percent": 0}'))
               FROM user_trading_stats WHERE user_id = $1`,
            [user],
          ),
          (e: { code?: string }) => e.code === "42883",
        );
        await assert.rejects(c.query("SELECT refresh_education_readiness()"), DENIED);
        await assert.rejects(
          c.query("SELECT refresh_education_stats_for(ARRAY[$1]::uuid[])", [user]),
          DENIED,
        );
        for (const fn of ["create_user_stats_rows", "track_grid_rollups", "track_module_progress_rollups"])
          await assert.rejects(c.query(`SELECT ${fn}()`), DENIED, fn);
      });
      assert.equal(await profit(), 0);
    });
  }

  it("readonly cannot run the session cleanup; the app can (it is the one function granted)", async () => {
    await withClient(db.as("readonly"), (c) =>
      assert.rejects(c.query("SELECT cleanup_expired_sessions()"), DENIED),
    );
    await withClient(db.as("app"), (c) => c.query("SELECT cleanup_expired_sessions()"));
  });

  // Since 004 the views join users (for the wallet address), so they are no longer auto-updatable at all; the
  // revoked privileges from 003 stay in place underneath.
  const NOT_WRITABLE = (e: { code?: string }) => DENIED(e) || e.code === "55000" || e.code === "0A000";
  it("app: the rollups cannot be written through the summary views", async () => {
    await withClient(db.as("app"), async (c) => {
      await assert.rejects(
        c.query("UPDATE user_education_summary SET ready_for_trading = true WHERE user_id = $1", [user]),
        NOT_WRITABLE,
      );
      await assert.rejects(
        c.query("UPDATE user_trading_summary SET completed_profit_erg = 1000000 WHERE user_id = $1", [user]),
        NOT_WRITABLE,
      );
      await assert.rejects(c.query("DELETE FROM user_trading_summary"), NOT_WRITABLE);
    });
    assert.equal(await profit(), 0);
  });

  it("a function a later migration adds is not executable by PUBLIC (default privileges of the owner)", async () => {
    await withClient(db.as("owner"), (c) =>
      c.query(
        "CREATE FUNCTION later_added() RETURNS int LANGUAGE sql SET search_path = public, pg_temp AS 'SELECT 1'",
      ),
    );
    for (const role of ["app", "readonly"] as const)
      await withClient(db.as(role), (c) => assert.rejects(c.query("SELECT later_added()"), DENIED));
    await withClient(db.as("owner"), (c) => c.query("DROP FUNCTION later_added()"));
  });

  // Item 2: a temporary education_modules (pg_temp is searched first) stood in for the real one in the
  // trigger.
  it("app: may not create temporary tables at all", async () => {
    await withClient(db.as("app"), (c) =>
      assert.rejects(c.query("CREATE TEMP TABLE education_modules (id uuid)"), DENIED),
    );
  });

  it("even with TEMPORARY, a temp education_modules with required_score 0 does not let a score of 10 complete a module", async () => {
    await withClient(db.as("admin"), (c) =>
      c.query(`GRANT TEMPORARY ON DATABASE "${db.name}" TO offthegrid_app`),
    );
    try {
      await withClient(db.as("app"), async (c) => {
        await c.query("CREATE TEMP TABLE education_modules AS SELECT * FROM public.education_modules");
        await c.query("UPDATE pg_temp.education_modules SET required_score = 0");
        await assert.rejects(
          c.query(
            `INSERT INTO user_module_progress (user_id, module_id, status, progress_percent, attempts, best_score, last_score, started_at, completed_at)
             SELECT $1, id, 'completed', 100, 1, 10, 10, now(), now() FROM public.education_modules WHERE slug = 'grid-basics'`,
            [user],
          ),
          (e: { code?: string; message: string }) =>
            e.code === "23514" && /needs a score of at least 80/.test(e.message),
        );
      });
    } finally {
      await withClient(db.as("admin"), (c) =>
        c.query(`REVOKE TEMPORARY ON DATABASE "${db.name}" FROM offthegrid_app`),
      );
    }
  });

  // Item 3: ALTER ROLE … PASSWORD 'SCRAM-SHA-256$…' landed in pg_stat_statements, readable through
  // pg_monitor.
  it("readonly: no password verifier in pg_stat_statements after a bootstrap, and earlier leaks are scrubbed", async () => {
    const leak = `rotated-Leak-password-${randomBytes(8).toString("hex")}`;
    // What an earlier bootstrap left behind (pg_stat_statements tracks utility statements by default).
    await withClient(db.as("admin"), (c) =>
      c.query(`ALTER ROLE offthegrid_app WITH PASSWORD '${scramSha256Verifier(leak)}'`),
    );
    const verifiers = () =>
      withClient(
        db.as("readonly"),
        async (c) =>
          (
            await c.query(
              "SELECT query FROM monitoring.pg_stat_statements WHERE query LIKE '%SCRAM-SHA-256$%'",
            )
          ).rows,
      );
    assert.ok((await verifiers()).length >= 1, "the planted leak is visible to the read-only role");
    const report = await withClient(db.as("admin"), (admin) =>
      bootstrap(admin as Client, stackBootstrapOptions(db.name)),
    );
    assert.deepEqual(await verifiers(), []);
    assert.ok(report.scrubbedStatements >= 1, JSON.stringify(report));
    assert.deepEqual(report.warnings, []);
  });

  // The app rewrote the curriculum it is graded by (required_score 0, prerequisites
  // deleted).
  it("the app can read the curriculum but neither lower a module's required score nor drop prerequisites", async () => {
    await withClient(db.as("app"), async (c) => {
      assert.ok((await c.query("SELECT count(*)::int AS n FROM education_modules")).rows[0].n > 0);
      await assert.rejects(c.query("UPDATE education_modules SET required_score = 0"), DENIED);
      await assert.rejects(c.query("DELETE FROM education_module_prerequisites"), DENIED);
      await assert.rejects(
        c.query(
          "INSERT INTO education_modules (slug, title, content, sort_order) VALUES ('free', 'x', '{}', 9)",
        ),
        DENIED,
      );
    });
    const { rows } = await withClient(db.as("admin"), (c) =>
      c.query("SELECT count(*)::int AS n FROM education_modules WHERE required_score = 0"),
    );
    assert.equal(rows[0].n, 0);
  });
});
