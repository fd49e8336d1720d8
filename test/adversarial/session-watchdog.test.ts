// Issue #20 item 6, what PostgreSQL cannot pin: an app or read-only session lifts its own statement_timeout or
// idle_in_transaction_session_timeout (allowed on PostgreSQL 17, see role-reach.test.ts) and runs or holds a
// transaction for as long as it likes. `offthegrid-db watchdog` (as the admin) ends such sessions from outside;
// the owner's sessions (migrations) are never touched.
import { strict as assert } from "node:assert";
import { Client, ClientConfig } from "pg";
import { TestPostgres, startPostgres } from "../../harness/postgres";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";
import { opsCli } from "./support";

describe("adversarial: sessions that lift their own limits are ended by the watchdog (real PostgreSQL 17)", function () {
  this.timeout(60_000);
  let pg: TestPostgres;
  let db: PreparedDatabase;
  const open: Client[] = [];
  const connect = async (config: ClientConfig) => {
    const c = new Client(config);
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
    const flags = ["--statement-seconds", "2", "--idle-in-transaction-seconds", "2"];
    const dry = await opsCli(["watchdog", ...flags, "--dry-run", "--json"], env);
    assert.equal(dry.code, 0, String(dry.error));
    const listed = JSON.parse(dry.out);
    assert.deepEqual(
      listed.overruns.map((o: { pid: number; ended: boolean }) => [o.pid, o.ended]).sort(),
      [
        [statementPid, false],
        [holderPid, false],
      ].sort(),
    );
    assert.ok(listed.checked >= 3, `app and read-only sessions seen: ${listed.checked}`);
    assert.equal(await alive(holder), true, "a dry run ends nothing");
    await holder.query("SELECT 1"); // still idle in its transaction, now for ~0 s: wait again
    await new Promise((r) => setTimeout(r, 2_200));

    const run = await opsCli(["watchdog", ...flags], env);
    assert.equal(run.code, 0, String(run.error));
    assert.match(run.out, new RegExp(`ended pid ${statementPid} \\(offthegrid_app_a\\): statement running`));
    assert.match(
      run.out,
      new RegExp(`ended pid ${holderPid} \\(offthegrid_readonly_b\\): idle in transaction`),
    );
    assert.match(run.out, /ended 2$/m);
    assert.equal(await running, "57P01", "the app's statement was terminated (admin_shutdown)");
    assert.equal(await alive(holder), false);
    assert.equal(await alive(ownerIdle), true, "the owner's transaction is never the watchdog's business");
    await ownerRunning; // the owner's long statement ran to its end
    assert.equal(await alive(appIdle), true, "an idle app session is within its limits");
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
