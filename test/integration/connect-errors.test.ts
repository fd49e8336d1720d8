// A connection the migrator opened (connectWithRetry: the work, lock and settle sessions) whose server goes
// away while it is idle. pg emits the server's FATAL as an 'error' event on an idle client; with no listener
// Node throws it out of the event loop, which killed a migrate run that was only reading the history after
// a crash ("read ECONNRESET", seen in CI). The failure must surface at the next query instead.
import { strict as assert } from "node:assert";
import { connectWithRetry } from "../../migrator/connect";
import { sharedPostgres, withClient } from "../../testbed/postgres";

describe("migrator connections: a server that drops an idle session (real PostgreSQL)", function () {
  this.timeout(60_000);

  it("does not crash the process; the next query fails with the server's reason", async () => {
    const pg = await sharedPostgres();
    const config = pg.config();
    const client = await connectWithRetry(
      { ...config, application_name: "idle-victim" },
      { deadlineMs: 10_000 },
    );
    const uncaught: unknown[] = [];
    const record = (err: unknown) => uncaught.push(err);
    // mocha's own handler would fail the test too; this one says why.
    process.prependListener("uncaughtException", record);
    try {
      await withClient(config, (c) =>
        c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'idle-victim'",
        ),
      );
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(uncaught.map(String), [], "no error escaped the client");
      await assert.rejects(client.query("SELECT 1"), /terminat|Connection terminated|not queryable/i);
    } finally {
      process.removeListener("uncaughtException", record);
      await client.end().catch(() => undefined);
    }
  });
});
