// What PostgreSQL cannot pin: an app or read-only session lifts its own statement_timeout
// or idle_in_transaction_session_timeout (allowed on PostgreSQL 17, see role-reach.test.ts) and runs or holds
// a transaction for as long as it likes. `offthegrid-db watchdog` (as the admin) ends such sessions from
// outside; the owner's sessions (migrations) are never touched.
import { strict as assert } from "node:assert";
import { type Client, ClientConfig } from "pg";
import { pgClient } from "../../testbed/pg-client";
import { TestPostgres, startPostgres } from "../../testbed/postgres";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";
import { opsCli } from "./support";
import { WATCHDOG_LIMITS, overruns, withOverrides } from "../../cli/ops/session-limits";
import { endSession, watchedSessions } from "../../cli/ops/watchdog";

describe("adversarial: sessions that lift their own limits are ended by the watchdog (real PostgreSQL 17)", function () {
  this.timeout(60_000);
  let pg: TestPostgres;
  let db: PreparedDatabase;
  const open: Client[] = [];
  const connect = async (config: ClientConfig) => {
    const c = pgClient(config);
    c.on("error", () => undefined); // a terminated session reports here too
    await c.connect();
    open.push(c);
    return c;
  };
  const pidOf = async (c: Client): Promise<number> =>
    (await c.query("SELECT pg_backend_pid() AS p")).rows[0].p;
  const alive = (c: Client) =>
    c.query("SELECT 1").then(
      () => true,
      () => false,
    );

  before(async () => {
    pg = await startPostgres({ major: 17 });
    db = await preparedDatabase(pg, "adv_watchdog");
  });
  after(async () => {
    await Promise.all(open.map((c) => c.end().catch(() => undefined)));
    await pg?.stop();
  });

  it("ends an app statement and a read-only idle transaction past the limits; owner and idle sessions stay", async () => {
    const statement = await connect(db.as("app"));
    const statementPid = await pidOf(statement);
    await statement.query("SET statement_timeout = 0");
    const running = statement.query("SELECT pg_sleep(50)").then(
      () => undefined,
      (e: { code?: string }) => e.code,
    );
    const holder = await connect(db.asMember("readonly", "b"));
    const holderPid = await pidOf(holder);
    await holder.query("SET idle_in_transaction_session_timeout = 0");
    await holder.query("BEGIN");
    await holder.query("SELECT count(*) FROM users");
    const ownerIdle = await connect(db.as("owner"));
    await ownerIdle.query("BEGIN");
    const ownerBusy = await connect(db.as("owner"));
    const ownerRunning = ownerBusy.query("SELECT pg_sleep(6)");
    const appIdle = await connect(db.asMember("app", "b"));
    await new Promise((r) => setTimeout(r, 2_500));

    const env = { ADMIN_DATABASE_URL: db.url("admin") };
    const app = ["--role", "app", "--statement-seconds", "2"];
    const readonly = ["--role", "readonly", "--idle-in-transaction-seconds", "2"];
    const listedPids = async (flags: string[]) => {
      const dry = await opsCli(["watchdog", ...flags, "--dry-run", "--json"], env);
      assert.equal(dry.code, 0, String(dry.error));
      const listed = JSON.parse(dry.out);
      assert.ok(listed.overruns.every((o: { ended: boolean }) => !o.ended));
      return listed.overruns.map((o: { pid: number }) => o.pid);
    };
    assert.deepEqual(await listedPids(app), [statementPid], "--role app watches app sessions only");
    assert.deepEqual(await listedPids(readonly), [holderPid]);
    assert.equal(await alive(holder), true, "a dry run ends nothing");
    await holder.query("SELECT 1"); // still idle in its transaction, now for ~0 s: wait again
    await new Promise((r) => setTimeout(r, 2_200));

    const run = await opsCli(["watchdog", ...app], env);
    assert.equal(run.code, 0, String(run.error));
    assert.match(run.out, new RegExp(`ended pid ${statementPid} \\(offthegrid_app_a\\): statement running`));
    assert.match(run.out, /ended 1$/m);
    const second = await opsCli(["watchdog", ...readonly], env);
    assert.equal(second.code, 0, String(second.error));
    assert.match(
      second.out,
      new RegExp(`ended pid ${holderPid} \\(offthegrid_readonly_b\\): idle in transaction`),
    );
    assert.equal(await running, "57P01", "the app's statement was terminated (admin_shutdown)");
    assert.equal(await alive(holder), false);
    assert.equal(await alive(ownerIdle), true, "the owner's transaction is never the watchdog's business");
    await ownerRunning; // the owner's long statement ran to its end
    assert.equal(await alive(appIdle), true, "an idle app session is within its limits");
  });

  it("refuses a limit flag without --role: one value for both roles would cut read-only backups short", async () => {
    const run = await opsCli(["watchdog", "--statement-seconds", "600"], {
      ADMIN_DATABASE_URL: db.url("admin"),
    });
    assert.equal(run.code, 2);
    assert.match(String(run.error), /a limit flag sets one role's limits: add --role app or --role readonly/);
    const bad = await opsCli(["watchdog", "--role", "owner"], { ADMIN_DATABASE_URL: db.url("admin") });
    assert.match(
      String(bad.error),
      /Invalid value for --role: "owner"\. Allowed values are: app, readonly\./,
    );
  });

  it("leaves a session whose long statement ended between the read and the kill", async () => {
    const app = await connect(db.as("app"));
    const pid = await pidOf(app);
    await app.query("SET statement_timeout = 0");
    const running = app.query("SELECT pg_sleep(1.5)");
    await new Promise((r) => setTimeout(r, 1_100));
    const admin = await connect(db.as("admin"));
    const limits = withOverrides(WATCHDOG_LIMITS, "app", { statementSeconds: 1 });
    const [judged] = overruns(await watchedSessions(admin, ["app"]), limits).filter((o) => o.pid === pid);
    assert.ok(judged, "the statement was over its limit when read");
    await running; // it ends on its own; the session runs something else now
    await app.query("SELECT 1");
    assert.equal(await endSession(admin, judged), false, "not the statement that was judged");
    assert.equal(await alive(app), true);
  });

  it("refuses a login that cannot see other sessions' state instead of reporting nothing", async () => {
    const run = await opsCli(["watchdog"], { ADMIN_DATABASE_URL: db.url("owner") });
    assert.equal(run.code, 1);
    assert.match(
      String(run.error),
      /cannot see other sessions' state in pg_stat_activity: run the watchdog as the admin/,
    );
  });
});
