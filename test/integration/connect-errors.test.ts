// A connection the migrator opened (connectWithRetry: the work, lock and settle sessions) whose server goes
// away while it is idle. pg emits the server's FATAL as an 'error' event on an idle client; with no listener
// Node throws it out of the event loop, which killed a migrate run that was only reading the history after
// a crash ("read ECONNRESET", seen in CI). The failure must surface at the next query instead. The same
// for the clients the tests and the bench open (pgClient): a traffic e2e run died of its own probe's
// "terminating connection due to administrator command" while the container was replaced.
import { strict as assert } from "node:assert";
import type { Client, ClientConfig } from "pg";
import { connectWithRetry } from "../../migrator/connect";
import { pgClient } from "../../testbed/pg-client";
import { sharedPostgres, withClient } from "../../testbed/postgres";

/** Opens a session named `idle-victim`, terminates it from another one, and checks what the process saw. */
async function dropIdle(open: (config: ClientConfig) => Promise<Client>): Promise<void> {
  const pg = await sharedPostgres();
  const config = pg.config();
  const client = await open({ ...config, application_name: "idle-victim" });
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
}

describe("migrator connections: a server that drops an idle session (real PostgreSQL)", function () {
  this.timeout(60_000);

  it("does not crash the process; the next query fails with the server's reason", () =>
    dropIdle((config) => connectWithRetry(config, { deadlineMs: 10_000 })));

  it("the tests' and the bench's clients (pgClient) behave the same", () =>
    dropIdle(async (config) => {
      const client = pgClient(config);
      await client.connect();
      return client;
    }));
});
