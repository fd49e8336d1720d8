// The invariant: the operator and the migrator can always connect. The app
// held 97 of the dev server's 100 slots, which blocked `migrate` and backups. Here the app's two logins and
// the read-only logins each open connections until PostgreSQL refuses them, at once, on a real PostgreSQL 17
// with the dev server's settings (stack/postgres/settings.ts: max_connections, reserved_connections) after
// the stack's bootstrap; then the migrator migrates, a read-only login (what `backup` runs as) and the admin
// connect.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { type Client, ClientConfig } from "pg";
import { pgClient } from "../../testbed/pg-client";
import { TestPostgres, startPostgres, withClient } from "../../testbed/postgres";
import { ROOT } from "../../testbed/stack";
import { DEV_SERVER_SETTINGS, serverArgs } from "../../stack/postgres/settings";
import { connectionLimits } from "../../migrator/bootstrap-connections";
import { migrateUp, readMigrationDirectory } from "../../migrator";
import { succeeded } from "../support/migrate";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";

interface Hogged {
  readonly opened: number;
  readonly refusal?: string;
  readonly clients: Client[];
}

describe("adversarial: PostgreSQL connection slots (real PostgreSQL 17, the dev server settings)", function () {
  let pg: TestPostgres;
  let db: PreparedDatabase;
  let held: Client[] = [];

  /** Connects as `config` until the server refuses; returns how many got in and the refusal. */
  async function hog(config: ClientConfig, max = 150): Promise<Hogged> {
    const clients: Client[] = [];
    for (;;) {
      const client = pgClient(config);
      client.on("error", () => undefined);
      try {
        if (clients.length === max) return { opened: max, clients };
        await client.connect();
        clients.push(client);
        held.push(client);
      } catch (err) {
        return { opened: clients.length, refusal: (err as Error).message, clients };
      }
    }
  }
  const selectOne = (config: ClientConfig) =>
    withClient(config, async (c) => (await c.query("SELECT 1 AS one")).rows[0].one);

  before(async () => {
    // The dev container's settings, as `postgres -c key=value …` flags (shared_buffers kept small here).
    const flags = serverArgs({ ...DEV_SERVER_SETTINGS, shared_buffers: "32MB" }).slice(1);
    pg = await startPostgres({ extraFlags: flags });
    db = await preparedDatabase(pg, "adv_slots");
  });
  afterEach(async () => {
    await Promise.all(held.map((c) => c.end().catch(() => undefined)));
    held = [];
  });
  after(async () => {
    await pg?.stop();
  });

  it("the app's and read-only logins, each at its limit at once, leave the migrator, a backup and the admin a slot", async () => {
    const taken: Record<string, Hogged> = {};
    for (const [role, slot] of [
      ["app", "a"],
      ["app", "b"],
      ["readonly", "a"],
      ["readonly", "b"],
    ] as const)
      taken[`${role}_${slot}`] = await hog(db.asMember(role, slot));
    const expected = connectionLimits(
      {
        maxConnections: 100,
        superuserReserved: 3,
        reserved: Number(DEV_SERVER_SETTINGS.reserved_connections),
      },
      { app: 2, readonly: 2 },
    );
    const summary = JSON.stringify(
      Object.fromEntries(
        Object.entries(taken).map(([k, v]) => [k, { opened: v.opened, refusal: v.refusal }]),
      ),
    );
    assert.equal(taken.app_a.opened, expected.app, summary);
    assert.match(taken.app_a.refusal ?? "", /too many connections for role "offthegrid_app_a"/, summary);
    assert.equal(taken.readonly_b.opened, expected.readonly, summary);

    // The migrator, as the SchemaMigrations provider runs it (lock session + work session).
    await succeeded(
      migrateUp({ connection: db.as("owner"), migrations: readMigrationDirectory(path.join(ROOT, "sql")) }),
    );
    // A backup runs as a read-only login; it got its own share even with the app at its limit.
    assert.equal(await selectOne(db.as("admin")), 1, "the admin");
    await taken.readonly_a.clients.pop()?.end();
    assert.equal(await selectOne(db.asMember("readonly", "a")), 1);
  });

  it("a read-only login is refused past its limit while the app is at its own: neither takes the other's share", async () => {
    const app = await hog(db.asMember("app", "a"));
    const readonly = await hog(db.asMember("readonly", "a"));
    const summary = JSON.stringify({
      app: [app.opened, app.refusal],
      readonly: [readonly.opened, readonly.refusal],
    });
    assert.ok(app.opened > 0 && readonly.opened > 0, summary);
    assert.match(readonly.refusal ?? "", /too many connections for role "offthegrid_readonly_a"/, summary);
    assert.equal(await selectOne(db.asMember("readonly", "b")), 1);
  });

  it("sizes the limits from the server's slots, and refuses a server too small for them", () => {
    assert.deepEqual(
      connectionLimits({ maxConnections: 100, superuserReserved: 3, reserved: 5 }, { app: 2, readonly: 3 }),
      {
        app: 32,
        readonly: 9,
      },
    );
    assert.deepEqual(
      connectionLimits({ maxConnections: 200, superuserReserved: 3, reserved: 5 }, { app: 2, readonly: 3 }),
      {
        app: 67,
        readonly: 19,
      },
    );
    assert.throws(
      () =>
        connectionLimits({ maxConnections: 10, superuserReserved: 3, reserved: 5 }, { app: 2, readonly: 2 }),
      /Raise max_connections \(postgresMaxConnections\)/,
    );
  });
});
