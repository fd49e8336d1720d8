import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Client, ClientConfig } from "pg";
import { pgClient } from "../../testbed/pg-client";
import { migrateUp, parseMigration, readMigrationDirectory } from "../../migrator";
import { bootstrap as mainBootstrap } from "../fixtures/bootstrap-main";
import { isSecretValue, plain } from "../../testbed/mocks";
import { SUPERUSER_PASSWORD, TestPostgres, sharedPostgres, withClient } from "../../testbed/postgres";
import { ofType, runStack, stackConfig } from "../../testbed/stack";
import { succeeded } from "../support/migrate";
import { SQL_DIR } from "../../testbed/root";

const requireFromString = require("require-from-string");
const TYPE = "pulumi-nodejs:dynamic/offthegrid:SchemaMigrations";

/** Loads the serialized provider exactly as the engine's dynamic-provider host does. */
function loadProvider(text: string) {
  return requireFromString(text).handler();
}

/** A copy with every object's keys in sorted order, as the engine stores and returns resource outputs. */
function sortedKeys(v: any): any {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortedKeys(v[k])]),
  );
}

async function login(config: ClientConfig): Promise<string | undefined> {
  const client = pgClient(config);
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** This test's copy of sql/, which the provider reads the SQL from (inputs.directory). */
let directory: string;

describe("SchemaMigrations provider, loaded from its serialized __provider, on real PostgreSQL", function () {
  let pg: TestPostgres;
  let providerText: string;
  let captured: Record<string, any>;
  let rawInputs: Record<string, any>;
  let generated: string[];
  let provider: any;
  let inputs: any;
  let database: string;

  before(async () => {
    const run = await runStack("dev", stackConfig("Pulumi.dev.yaml"));
    const [resource] = ofType(run, TYPE);
    rawInputs = resource.inputs;
    captured = plain(resource.inputs);
    providerText = captured.__provider;
    generated = ["admin", "owner", "app", "readonly"].map(
      (r) => new URL(run.outputs.postgresUrls[r]).password,
    );
    pg = await sharedPostgres();
    provider = loadProvider(providerText);
  });

  beforeEach(async () => {
    database = await pg.createDatabase("provider");
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-sql-"));
    fs.cpSync(SQL_DIR, directory, { recursive: true });
    inputs = {
      ...captured,
      directory,
      connection: { host: "127.0.0.1", port: pg.port, database, sslmode: "disable" },
      admin: { user: "postgres", password: SUPERUSER_PASSWORD, managePassword: false },
    };
  });

  const roleConfig = (role: "owner" | "app" | "readonly", password = inputs.roles[role].current.password) =>
    pg.config(database, { user: inputs.roles[role].current.name, password });

  it("is registered with secret admin and roles inputs, and its text carries no secret and no stack config", () => {
    assert.ok(typeof providerText === "string" && providerText.startsWith("exports.handler"));
    assert.ok(
      isSecretValue(rawInputs.admin) && isSecretValue(rawInputs.roles),
      "admin and roles reach the engine as secrets",
    );
    for (const secret of [...generated, SUPERUSER_PASSWORD])
      assert.ok(!providerText.includes(secret), "no password in __provider");
    assert.ok(!/PULUMI_CONFIG|offthegrid-database:/.test(providerText), "no captured stack config");
    assert.ok(!/require\("\.\.?\//.test(providerText), "no relative require that would break in the host");
  });

  it("check accepts the stack's inputs and unknown preview values, and names bad inputs", async () => {
    assert.deepEqual((await provider.check({}, inputs)).failures, []);
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    assert.deepEqual(
      (
        await provider.check(
          {},
          { ...inputs, connection: { ...inputs.connection, host: unknown, port: unknown } },
        )
      ).failures,
      [],
    );
    // Preview on AWS: the connection is built with pulumi.output({...}) around the RDS address, and an input
    // with one unknown inside arrives whole as the unknown sentinel; the same for the
    // secret roles.
    assert.deepEqual(
      (await provider.check({}, { ...inputs, connection: unknown, roles: unknown })).failures,
      [],
    );
    const bad = {
      ...inputs,
      connection: { ...inputs.connection, sslmode: "require" },
      migrations: { ...inputs.migrations, "001_platform_schema.sql": "0".repeat(64) },
      roles: {
        ...inputs.roles,
        app: { ...inputs.roles.app, group: "App-Role", current: { name: "app_a", password: "short" } },
      },
    };
    const reasons = (await provider.check({}, bad)).failures.map((f: any) => `${f.property}: ${f.reason}`);
    assert.ok(
      reasons.some((r: string) => /^connection: sslmode must be disable or verify-full/.test(r)),
      reasons.join("\n"),
    );
    assert.ok(reasons.some((r: string) => /^: \S+001_platform_schema\.sql changed while pulumi ran/.test(r)));
    assert.ok(reasons.some((r: string) => /^roles: app: invalid role name App-Role/.test(r)));
    assert.ok(reasons.some((r: string) => /^roles: app\.current: password must be at least 16/.test(r)));
  });

  it("read fails within seconds, naming the database, when it cannot log in (refresh keeps the state)", async () => {
    const { outs } = await provider.create(inputs);
    const wrong = {
      ...outs,
      roles: {
        ...outs.roles,
        owner: { ...outs.roles.owner, current: { ...outs.roles.owner.current, password: "x".repeat(40) } },
      },
    };
    const down = { ...outs, connection: { ...outs.connection, port: 1 } };
    for (const props of [wrong, down]) {
      const started = Date.now();
      await assert.rejects(provider.read(`id`, props), (err: Error) => {
        assert.match(err.message, /cannot read the applied migrations from 127\.0\.0\.1:\d+\//);
        assert.match(err.message, /state is unchanged/);
        return true;
      });
      // The create/update deadline is five minutes; a refresh must not wait for it.
      assert.ok(Date.now() - started < 15_000, `read took ${Date.now() - started} ms`);
    }
  });

  it("create bootstraps roles and applies every migration; outs hold passwords only under admin and roles", async () => {
    const { id, outs } = await provider.create(inputs);
    assert.equal(id, `127.0.0.1:${pg.port}/${database}`);
    assert.deepEqual(Object.keys(outs.migrations), Object.keys(inputs.migrations));
    assert.deepEqual(Object.keys(outs.migrations).slice(0, 2), [
      "001_platform_schema.sql",
      "002_user_display_preferences.sql",
    ]);
    assert.equal(
      await login(roleConfig("app")),
      undefined,
      "the app role logs in with its generated password",
    );
    assert.equal(await login(roleConfig("readonly")), undefined);
    const modules = await withClient(roleConfig("app"), (c) =>
      c.query("SELECT slug FROM education_modules ORDER BY sort_order"),
    );
    assert.deepEqual(
      modules.rows.map((r) => r.slug),
      ["grid-basics", "risk-management", "market-conditions"],
    );
    const { admin, roles, ...rest } = outs;
    assert.ok(admin.password && roles.app.current.password && roles.app.previous.password);
    for (const secret of [...generated, SUPERUSER_PASSWORD])
      assert.ok(!JSON.stringify(rest).includes(secret), "no password outside admin/roles");
    const marker = await withClient(pg.config(database), (c) =>
      c.query("SELECT environment, stack FROM stack.marker"),
    );
    assert.deepEqual(marker.rows, [{ environment: "dev", stack: "dev" }]);
  });

  it("inputs and outs carry each migration's name and checksum, never its SQL, also after a refresh of a state that held it", async () => {
    const { id, outs } = await provider.create(inputs);
    // File name → checksum: one line per file in `preview --diff`.
    for (const [name, checksum] of Object.entries(captured.migrations))
      assert.match(`${name} ${checksum}`, /^\d{3}_\w+\.sql [0-9a-f]{64}$/);
    assert.equal(captured.directory, "sql", "relative to the project root: the same for every checkout");
    assert.deepEqual(outs.migrations, inputs.migrations);
    assert.doesNotMatch(JSON.stringify(outs), /CREATE TABLE/);
    // State written before the SQL left the properties: a refresh (and the next update) drops it.
    const old = {
      ...outs,
      migrations: Object.entries(outs.migrations).map(([name, checksum]) => ({
        name,
        checksum,
        sql: "CREATE TABLE x ();",
      })),
    };
    const refreshed = await provider.read(id, old);
    assert.deepEqual(refreshed.props.migrations, inputs.migrations);
    assert.equal((await provider.diff(id, refreshed.props, inputs)).changes, false);
  });

  it("diff never touches the database, reports pending migrations and rotations as updates, never replaces", async () => {
    const { id, outs } = await provider.create(inputs);
    const offline = { ...outs, connection: { ...outs.connection, port: 1 } };
    const same = await provider.diff(id, offline, { ...inputs, connection: offline.connection });
    assert.equal(same.changes, false);
    // The engine returns stored outputs with their keys sorted; that alone is no change (found under the real
    // CLI).
    assert.equal(
      (await provider.diff(id, sortedKeys(offline), { ...inputs, connection: offline.connection })).changes,
      false,
    );
    const added = {
      ...inputs,
      migrations: {
        ...inputs.migrations,
        ...migration("900_add_bio.sql", "ALTER TABLE users ADD COLUMN bio text;"),
      },
    };
    const withMigration = await provider.diff(id, outs, added);
    assert.equal(withMigration.changes, true);
    assert.deepEqual(withMigration.replaces, []);
    const rotated = rotate(inputs, "app", "rotated-App-password-0123456789abcdef");
    const withRotation = await provider.diff(id, outs, rotated);
    assert.equal(withRotation.changes, true);
    assert.deepEqual(withRotation.replaces, []);
  });

  it("update applies a new migration; a rotation keeps the previous member's login until the next one (owner, app, readonly)", async () => {
    const { id, outs } = await provider.create(inputs);
    const withBio = {
      ...inputs.migrations,
      ...migration("900_add_bio.sql", "ALTER TABLE users ADD COLUMN bio text;"),
    };
    let state = outs;
    let current = { ...inputs, migrations: withBio };
    for (const role of ["owner", "app", "readonly"] as const) {
      const first = current.roles[role].current;
      const once = rotate(current, role, `rotated-once-${role}-password-0123456789`);
      state = (await provider.update(id, state, once)).outs;
      assert.notEqual(once.roles[role].current.name, first.name, "the other member becomes current");
      // Both members log in and are the same logical role (current_user is the group).
      for (const login of [first, once.roles[role].current]) {
        const who = await withClient(
          pg.config(database, { user: login.name, password: login.password }),
          (c) =>
            c.query(
              "SELECT current_user AS role, session_user AS member, (SELECT count(*)::int FROM users) AS n",
            ),
        );
        assert.deepEqual(who.rows[0], { role: `offthegrid_${role}`, member: login.name, n: 0 }, login.name);
      }
      const twice = rotate(once, role, `rotated-twice-${role}-password-012345678`);
      state = (await provider.update(id, state, twice)).outs;
      assert.equal(
        await login(pg.config(database, { user: first.name, password: first.password })),
        "28P01",
        `${role}: the password rotated away two epochs ago is refused`,
      );
      for (const member of [once.roles[role].current, twice.roles[role].current])
        assert.equal(
          await login(pg.config(database, { user: member.name, password: member.password })),
          undefined,
          `${role}: ${member.name} (previous and current) log in`,
        );
      current = twice;
    }
    assert.deepEqual(Object.keys(state.migrations).slice(-1), ["900_add_bio.sql"]);
    const columns = await withClient(pg.config(database), (c) =>
      c.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'bio'"),
    );
    assert.equal(columns.rowCount, 1);
  });

  it("what either owner member creates belongs to the owner group: the app uses it, the other member alters it", async () => {
    const { id, outs } = await provider.create(inputs);
    const made = {
      ...inputs.migrations,
      ...migration("910_notes.sql", "CREATE TABLE notes (id serial, body text);"),
    };
    const first = await provider.update(id, outs, { ...inputs, migrations: made });
    // The next rotation makes the other owner member current; it applies the next migration.
    const rotated = rotate({ ...inputs, migrations: made }, "owner", "rotated-Owner-password-0123456789ab");
    const altered = {
      ...made,
      ...migration("911_notes_at.sql", "ALTER TABLE notes ADD COLUMN at timestamptz;"),
    };
    await provider.update(id, first.outs, { ...rotated, migrations: altered });
    const owners = await withClient(pg.config(database), (c) =>
      c.query(
        `SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
          WHERE c.relname IN ('notes', 'notes_id_seq') ORDER BY 1`,
      ),
    );
    assert.deepEqual(owners.rows, [
      { relname: "notes", owner: "offthegrid_owner" },
      { relname: "notes_id_seq", owner: "offthegrid_owner" },
    ]);
    // Either member alters it directly too (ownership through the group, not through who created it).
    for (const login of [inputs.roles.owner.current, rotated.roles.owner.current])
      await withClient(pg.config(database, { user: login.name, password: login.password }), (c) =>
        c.query(`COMMENT ON TABLE notes IS 'altered by ${login.name}'`),
      );
    const app = rotated.roles.app.current;
    const rows = await withClient(
      pg.config(database, { user: app.name, password: app.password }),
      async (c) => {
        await c.query("INSERT INTO notes (body, at) VALUES ('hello', now())");
        return (await c.query("SELECT body FROM notes")).rows;
      },
    );
    assert.deepEqual(rows, [{ body: "hello" }]);
    const ro = rotated.roles.readonly.current;
    const seen = await withClient(pg.config(database, { user: ro.name, password: ro.password }), (c) =>
      c.query("SELECT count(*)::int AS n FROM notes"),
    );
    assert.equal(seen.rows[0].n, 1);
  });

  it("upgrades a database from main's single login roles in place: each old login works until that role's next rotation", async () => {
    const old = {
      owner: "main-Owner-password-0123456789abc",
      app: "main-App-password-0123456789abcde",
      readonly: "main-Ro-password-0123456789abcdef",
    };
    const groups = {
      owner: "offthegrid_owner",
      app: "offthegrid_app",
      readonly: "offthegrid_readonly",
    } as const;
    // The members may exist from other databases of this cluster; a deployed main stack has none. Dropping
    // them also proves no member owns anything.
    await withClient(pg.config(), async (c) => {
      for (const role of Object.values(inputs.roles) as any[])
        for (const m of [role.current.name, role.previous.name]) await c.query(`DROP ROLE IF EXISTS ${m}`);
    });
    await withClient(pg.config(database), (admin) =>
      mainBootstrap(admin as Client, {
        database,
        roles: groups,
        setPasswords: Object.fromEntries(
          (Object.keys(groups) as (keyof typeof groups)[]).map((k) => [groups[k], old[k]]),
        ),
        marker: inputs.marker,
      }),
    );
    await succeeded(
      migrateUp({
        connection: pg.config(database, { user: groups.owner, password: old.owner }),
        migrations: readMigrationDirectory(SQL_DIR),
      }),
    );
    // What main's provider recorded: one { name, password } per role.
    const mainOuts = {
      ...inputs,
      roles: Object.fromEntries(
        (Object.keys(groups) as (keyof typeof groups)[]).map((k) => [
          k,
          { name: groups[k], password: old[k] },
        ]),
      ),
      migrations: Object.entries(inputs.migrations).map(([name, checksum]) => ({ name, checksum })),
    };
    delete (mainOuts as any).__provider;
    const oldLogin = (k: keyof typeof groups) => pg.config(database, { user: groups[k], password: old[k] });
    const id = `127.0.0.1:${pg.port}/${database}`;
    assert.equal((await provider.diff(id, mainOuts, inputs)).changes, true, "the upgrade is an update");
    const upgraded = await provider.update(id, mainOuts, inputs);
    const epochs = (i: any) => Object.fromEntries(Object.values(i.roles).map((r: any) => [r.group, r.epoch]));
    assert.deepEqual(upgraded.outs.legacyLogins, epochs(inputs));
    // check() (old inputs, no database) says what apply will decide: a preview shows the checked inputs.
    const checked = async (oldInputs: any, news: any) => (await provider.check(oldInputs, news)).inputs;
    const upgradeInputs = await checked(mainOuts, inputs);
    assert.deepEqual(upgradeInputs.legacyLogins, upgraded.outs.legacyLogins);
    // An `up` without rotation keeps them.
    const again = await provider.update(id, upgraded.outs, inputs);
    assert.deepEqual(again.outs.legacyLogins, epochs(inputs));
    const againInputs = await checked(upgradeInputs, inputs);
    assert.deepEqual(againInputs.legacyLogins, again.outs.legacyLogins);
    for (const k of Object.keys(groups) as (keyof typeof groups)[]) {
      assert.equal(await login(oldLogin(k)), undefined, `${k}: main's login still works`);
      assert.equal(await login(roleConfig(k)), undefined, `${k}: the current member logs in`);
    }
    // Rotating the app retires the app group's own login, and only that one.
    const rotated = rotate(inputs, "app", "rotated-App-password-0123456789abcdef");
    const after = await provider.update(id, again.outs, rotated);
    assert.deepEqual(Object.keys(after.outs.legacyLogins).sort(), [
      "offthegrid_owner",
      "offthegrid_readonly",
    ]);
    assert.deepEqual((await checked(againInputs, rotated)).legacyLogins, after.outs.legacyLogins);
    // While a rotated password is unknown (preview), the whole roles input is; roleEpochs still says it all.
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const roleEpochs = Object.fromEntries(
      Object.entries(rotated.roles).map(([k, r]: [string, any]) => [k, { group: r.group, epoch: r.epoch }]),
    );
    assert.deepEqual(
      (await checked(againInputs, { ...rotated, roles: unknown, roleEpochs })).legacyLogins,
      after.outs.legacyLogins,
    );
    assert.equal(
      (await checked(againInputs, { ...rotated, roles: unknown, roleEpochs: unknown })).legacyLogins,
      unknown,
    );
    assert.deepEqual((await checked({}, inputs)).legacyLogins, {}, "a new resource has none");
    assert.equal(await login(oldLogin("app")), "28P01");
    assert.equal(await login(oldLogin("owner")), undefined);
    const prev = rotated.roles.app.previous;
    assert.equal(await login(pg.config(database, { user: prev.name, password: prev.password })), undefined);
    // What main's owner created (owned by the group) is altered by a member; the app member reads it.
    const owner = rotated.roles.owner.current;
    await withClient(pg.config(database, { user: owner.name, password: owner.password }), (c) =>
      c.query("ALTER TABLE users ADD COLUMN upgraded boolean"),
    );
    const cur = rotated.roles.app.current;
    const n = await withClient(pg.config(database, { user: cur.name, password: cur.password }), (c) =>
      c.query("SELECT count(upgraded)::int AS n FROM users"),
    );
    assert.equal(n.rows[0].n, 0);
  });

  it("rotates a managed admin password: falls back to the previous one kept in state, then sets the new one", async () => {
    await withClient(pg.config(), (c) =>
      c
        .query("DROP ROLE IF EXISTS dev_superuser")
        .then(() =>
          c.query("CREATE ROLE dev_superuser LOGIN SUPERUSER PASSWORD 'first-Admin-password-0123456789abc'"),
        ),
    );
    const first = {
      ...inputs,
      admin: { user: "dev_superuser", password: "first-Admin-password-0123456789abc", managePassword: true },
    };
    const { id, outs } = await provider.create(first);
    const rotated = { ...first, admin: { ...first.admin, password: "second-Admin-password-0123456789ab" } };
    await provider.update(id, outs, rotated);
    assert.equal(
      await login(
        pg.config(database, { user: "dev_superuser", password: "second-Admin-password-0123456789ab" }),
      ),
      undefined,
    );
    assert.equal(
      await login(
        pg.config(database, { user: "dev_superuser", password: "first-Admin-password-0123456789abc" }),
      ),
      "28P01",
    );
  });

  it("reports a partial failure the way the engine host records it, and the next update resumes", async () => {
    const { id, outs } = await provider.create(inputs);
    const broken = {
      ...inputs,
      migrations: {
        ...inputs.migrations,
        ...migration("901_ok.sql", "CREATE TABLE notes (id int);"),
        ...migration("902_bad.sql", "ALTER TABLE nope ADD COLUMN x int;"),
      },
    };
    const err = await provider.update(id, outs, broken).catch((e: any) => e);
    assert.ok(err?.message, `update throws: ${require("node:util").inspect(err).slice(0, 600)}`);
    assert.equal(err.id, id);
    assert.deepEqual(Object.keys(err.properties.migrations).slice(-2), [
      Object.keys(inputs.migrations).slice(-1)[0],
      "901_ok.sql",
    ]);
    assert.equal(
      err.properties.__provider,
      providerText,
      "properties carry __provider for the next operation",
    );
    assert.match(err.reasons[0], /902_bad\.sql \(up\) failed at line 2: relation "nope" does not exist/);
    const diff = await provider.diff(id, err.properties, broken);
    assert.equal(
      diff.changes,
      true,
      "the recorded partial state differs from the inputs, so the next up updates",
    );
    const fixed = {
      ...broken,
      migrations: {
        ...broken.migrations,
        ...migration("902_bad.sql", "ALTER TABLE notes ADD COLUMN x int;"),
      },
    };
    const resumed = await provider.update(id, err.properties, fixed);
    assert.deepEqual(Object.keys(resumed.outs.migrations).slice(-2), ["901_ok.sql", "902_bad.sql"]);
  });

  it("keeps error messages intact through serialization (an applied file that changed is refused, readably)", async () => {
    const { id, outs } = await provider.create(inputs);
    const edited = {
      ...inputs,
      migrations: {
        ...inputs.migrations,
        ...migration(
          "001_platform_schema.sql",
          fs
            .readFileSync(path.join(SQL_DIR, "001_platform_schema.sql"), "utf8")
            .replace("CREATE TABLE users (", "CREATE TABLE users  ("),
        ),
      },
    };
    await assert.rejects(provider.update(id, outs, edited), (err: Error) => {
      assert.equal(err.name, "SchemaMigrationsError");
      assert.equal((err as Error & { id?: string }).id, undefined, "nothing ran: no partial state to record");
      assert.match(
        err.message,
        /^Migration changed after it was applied: 001_platform_schema\.sql was applied with checksum sha256:/,
      );
      return true;
    });
  });

  it("read reports what the database really has applied", async () => {
    const { id, outs } = await provider.create(inputs);
    await withClient(pg.config(database), (c) => c.query("DELETE FROM migrations.history WHERE version = 2"));
    const { props } = await provider.read(id, outs);
    assert.deepEqual(
      Object.keys(props.migrations),
      Object.keys(inputs.migrations).filter((n: string) => n !== "002_user_display_preferences.sql"),
    );
  });

  it("delete drops nothing", async () => {
    const { id, outs } = await provider.create(inputs);
    await provider.delete(id, outs);
    const tables = await withClient(pg.config(database), (c) =>
      c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'"),
    );
    assert.ok(tables.rows[0].n >= 10);
    assert.equal(await login(roleConfig("app")), undefined);
  });
});

/**
 * The inputs the program passes after bumping `role`'s epoch: the other member becomes current with a new
 * password, the old current member is now the previous one, its password unchanged.
 */
function rotate(inputs: any, role: "owner" | "app" | "readonly", password: string) {
  const r = inputs.roles[role];
  const next = {
    ...r,
    epoch: r.epoch + 1,
    current: { name: r.previous.name, password },
    previous: r.current,
  };
  return { ...inputs, roles: { ...inputs.roles, [role]: next } };
}

/** Writes `name` into this test's migration directory; the provider's input for it ({ name: checksum }). */
function migration(name: string, body: string): Record<string, string> {
  const sql = body.includes("-- migrate:up") ? body : `-- migrate:up\n${body}`;
  fs.writeFileSync(path.join(directory, name), sql);
  return { [name]: parseMigration(name, sql).checksum };
}
