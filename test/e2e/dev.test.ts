// The dev stack under the real Pulumi CLI, typed by hand as docs/stacks.md shows (`npm run dev` has its own
// test, dev-command.test.ts): the real engine, language host, dynamic-provider host; stand-in docker/random
// plugins that run PostgreSQL 17 and redis-server.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import Redis from "ioredis";
import { pgClient } from "../../testbed/pg-client";
import { loadMigrations, readMigrationDirectory, renderSumFile } from "../../migrator";
import { formatFinding, lintMigrations } from "../../migrator/lint";
import { EngineSession } from "../../testbed/engine/session";
import { redisAuth } from "../support/redis-auth";
import { retagImage } from "../../testbed/standins/docker-host";
import {
  alive,
  containerState,
  crashContainer,
  startStopped,
  stopProcess,
} from "../../testbed/standins/docker-container";

const STACK = "dev";

/** Steps of a `preview --json`, as op per resource name (`same` left out). */
function changes(json: string): Record<string, string> {
  const steps: { op: string; urn: string }[] = JSON.parse(json).steps ?? [];
  return Object.fromEntries(
    steps.filter((s) => s.op !== "same").map((s) => [s.urn.split("::").pop() as string, s.op]),
  );
}

async function query(url: string, sql: string, params: unknown[] = []) {
  const client = pgClient({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

async function sqlState(url: string, sql: string): Promise<string | undefined> {
  try {
    await query(url, sql);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  }
}

async function redisCall<T>(url: string, fn: (r: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

describe("dev stack under the real Pulumi CLI (npm run pulumi)", function () {
  this.timeout(240_000);
  let s: EngineSession;
  let outputs: Record<string, any>;
  let names: { postgres: string; redis: string; pgVolume: string; redisVolume: string };
  let firstRedisAdminUrl: string;

  before(async () => {
    s = EngineSession.create("e2e-dev");
    await s.pulumi(["login", `file://${s.backend}`]);
    await s.pulumi(["stack", "init", STACK]);
    await s.freeStorePorts();
    names = {
      postgres: "offthegrid-dev-postgres",
      redis: "offthegrid-dev-redis",
      pgVolume: "offthegrid-dev-pgdata",
      redisVolume: "offthegrid-dev-redisdata",
    };
  });

  after(async () => {
    if (s && !process.env.OFFTHEGRID_KEEP_E2E) await s.dispose();
  });

  it("a config typo fails `preview` with the documented problem list, a guess, and no inspected error object", async () => {
    await s.pulumi(["config", "set", "postgresHostPrt", "5433"]);
    const preview = await s.pulumi(["preview", "--color", "never"], { allowFailure: true });
    await s.pulumi(["config", "rm", "postgresHostPrt"]);
    assert.notEqual(preview.code, 0);
    const text = preview.stdout + preview.stderr;
    assert.match(
      text,
      /Invalid configuration for stack "dev":\n\s+- Unknown config key offthegrid-database:postgresHostPrt\. Did you mean offthegrid-database:postgresHostPort\?/,
    );
    assert.doesNotMatch(text, /unhandled exception|ConfigError|problems: \[|\x1b\[/);
    assert.doesNotMatch(text, /privateSubnets/, "a dev stack lists only the keys it can use");
  });

  it("`pulumi up` provisions both stores and applies the schema through the dynamic-provider host", async () => {
    await s.pulumi(["up", "--yes"]);
    outputs = await s.outputs(STACK);
    assert.deepEqual(
      Object.keys(outputs.schemaMigrations),
      fs.readdirSync(path.join(s.project, "sql")).filter((f) => f.endsWith(".sql")),
    );
  });

  it("each role's URL logs in as that role; the app role cannot run DDL, readonly cannot write", async () => {
    const urls = outputs.postgresUrls;
    // Schema roles log in as a member of their group and act as the group (stack/credentials/roles.ts).
    for (const role of ["admin", "owner", "app", "readonly"]) {
      const { rows } = await query(urls[role], "SELECT session_user AS login, current_user AS who");
      assert.equal(rows[0].login, outputs.postgres.roles[role]);
      assert.equal(rows[0].who, outputs.postgres.roleGroups[role] ?? outputs.postgres.roles[role]);
    }
    assert.equal(await sqlState(urls.app, "CREATE TABLE app_made (id int)"), "42501");
    assert.equal(await sqlState(urls.readonly, "DELETE FROM users"), "42501");
  });

  it("Redis: the app URL works inside its key patterns; the admin URL can CONFIG GET", async () => {
    assert.equal(await redisCall(outputs.redisUrls.app, (r) => r.set("session:e2e", "kept")), "OK");
    await assert.rejects(
      redisCall(outputs.redisUrls.app, (r) => r.set("other:e2e", "x")),
      /NOPERM/,
    );
    const maxmemory = await redisCall(outputs.redisUrls.admin, (r) => r.config("GET", "maxmemory"));
    assert.deepEqual(maxmemory, ["maxmemory", String(256 * 1024 * 1024)]);
  });

  it("Redis cache store: its own container; the same users; cache families only; allkeys-lru beside noeviction", async () => {
    const { cacheApp, cacheAdmin, app, admin } = outputs.redisUrls;
    assert.equal(new URL(cacheApp).password, new URL(app).password);
    assert.notEqual(new URL(cacheApp).port, new URL(app).port);
    assert.equal(await redisCall(cacheApp, (r) => r.set("cache:e2e", "x", "EX", 60)), "OK");
    await assert.rejects(
      redisCall(cacheApp, (r) => r.set("session:e2e-cache", "x")),
      /NOPERM/,
    );
    await assert.rejects(
      redisCall(app, (r) => r.set("cache:e2e", "x")),
      /NOPERM/,
    );
    const policy = (url: string) => redisCall(url, (r) => r.config("GET", "maxmemory-policy"));
    assert.deepEqual(await policy(cacheAdmin), ["maxmemory-policy", "allkeys-lru"]);
    assert.deepEqual(await policy(admin), ["maxmemory-policy", "noeviction"]);
  });

  it("no generated password appears in plaintext in the state file, nor in `stack output` without --show-secrets", async () => {
    const passwords = [
      ...["admin", "owner", "app", "readonly"].map((r) => new URL(outputs.postgresUrls[r]).password),
      ...Object.values<string>(outputs.redisUrls).map((u) => new URL(u).password),
    ];
    const state = s.stateText(STACK);
    const plain = (await s.pulumi(["stack", "output", "--json"])).stdout;
    for (const password of passwords) {
      // RandomPassword's contract as the stack asks for it: 40 characters of letters, digits and "-".
      assert.match(password, /^[A-Za-z0-9-]{40}$/);
      assert.ok(!state.includes(password), "password in the state file");
      assert.ok(!plain.includes(password), "password in stack output");
    }
    // Whole outputs are secret or plain: nothing nested is masked (what the Automation API and actions need).
    const shown = JSON.parse(plain);
    for (const key of ["postgresUrls", "redisUrls", "toolPasswords"])
      assert.equal(shown[key], "[secret]", key);
    for (const key of ["postgres", "redis", "tools"])
      assert.ok(!JSON.stringify(shown[key]).includes("[secret]"), key);
  });

  it("`pulumi preview` right after `up` shows no changes", async () => {
    await s.pulumi(["preview", "--expect-no-changes"]);
  });

  it("bumping postgresAppPasswordEpoch: the old URL keeps working beside the new one; the next bump refuses the old-old one", async () => {
    const first = outputs.postgresUrls.app;
    await query(first, "INSERT INTO users (wallet_address) VALUES ($1)", [`9${"e".repeat(50)}`]);
    await s.pulumi(["config", "set", "postgresAppPasswordEpoch", "1"]);
    const preview = await s.pulumi(["preview", "--diff", "--json"]);
    // credentials-epochs records the applied epochs (stack/credentials/epoch-rule.ts: they only move
    // forward).
    assert.deepEqual(changes(preview.stdout), {
      "credentials-epochs": "update",
      "credentials-postgresApp-a": "replace",
      schema: "update",
    });
    // A preview shows the schema's checked inputs as its new outputs (the host has no provider preview): no
    // key may appear or vanish there that `up` would not add or remove (the `sql` and `legacyLogins` phantoms
    // an earlier version showed), and legacyLogins is known, unchanged, although the rotated password is not.
    const step = JSON.parse(preview.stdout).steps.find((st: { urn: string }) => st.urn.endsWith("::schema"));
    assert.deepEqual(Object.keys(step.newState.inputs).sort(), Object.keys(step.oldState.outputs).sort());
    assert.deepEqual(step.newState.inputs.legacyLogins, step.oldState.outputs.legacyLogins);
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    outputs = await s.outputs(STACK);
    const second = outputs.postgresUrls.app;
    assert.notEqual(second, first);
    assert.notEqual(new URL(second).username, new URL(first).username, "the other member is current");
    for (const url of [first, second]) {
      const { rows } = await query(url, "SELECT count(*)::int AS n FROM users");
      assert.equal(rows[0].n, 1, "both members see the same data");
    }
    await s.pulumi(["config", "set", "postgresAppPasswordEpoch", "2"]);
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    outputs = await s.outputs(STACK);
    assert.equal(new URL(outputs.postgresUrls.app).username, new URL(first).username);
    assert.equal(await sqlState(first, "SELECT 1"), "28P01", "rotated away two epochs ago");
    assert.equal(await sqlState(second, "SELECT 1"), undefined, "the previous URL still works");
    assert.equal(await sqlState(outputs.postgresUrls.app, "SELECT 1"), undefined);
  });

  it("bumping the owner and readonly epochs: old and new URLs both work; what the old owner creates the new alters", async () => {
    const before = { owner: outputs.postgresUrls.owner, readonly: outputs.postgresUrls.readonly };
    await s.pulumi(["config", "set", "postgresOwnerPasswordEpoch", "1"]);
    await s.pulumi(["config", "set", "postgresReadonlyPasswordEpoch", "1"]);
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    outputs = await s.outputs(STACK);
    for (const role of ["owner", "readonly"] as const)
      assert.notEqual(new URL(outputs.postgresUrls[role]).username, new URL(before[role]).username, role);
    await query(before.owner, "CREATE TABLE e2e_rotation (id int)");
    await query(outputs.postgresUrls.owner, "ALTER TABLE e2e_rotation ADD COLUMN note text");
    for (const url of [before.readonly, outputs.postgresUrls.readonly])
      assert.equal((await query(url, "SELECT count(*)::int AS n FROM users")).rows[0].n, 1);
    await query(before.owner, "DROP TABLE e2e_rotation");
  });

  it("bumping the Redis app and admin epochs: applied live (no container replacement), the old passwords work until the next rotation, keys stay", async () => {
    const firstUrl = outputs.redisUrls.app;
    firstRedisAdminUrl = outputs.redisUrls.admin;
    const pid = await s.docker(() => containerState(names.redis)?.pid);
    await s.pulumi(["config", "set", "redisAppPasswordEpoch", "1"]);
    await s.pulumi(["config", "set", "redisAdminPasswordEpoch", "1"]);
    const preview = await s.pulumi(["preview", "--json"]);
    const planned = changes(preview.stdout);
    assert.equal(planned["local-redis"], undefined, JSON.stringify(planned));
    assert.equal(planned["local-redis-users"], "update", JSON.stringify(planned));
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    outputs = await s.outputs(STACK);
    assert.notEqual(outputs.redisUrls.app, firstUrl);
    assert.equal(
      await s.docker(() => containerState(names.redis)?.pid),
      pid,
      "the same redis-server process",
    );
    assert.equal(await redisCall(outputs.redisUrls.app, (r) => r.get("session:e2e")), "kept");
    assert.equal(await redisAuth(outputs.redisUrls.app), "+OK");
    assert.equal(await redisAuth(firstUrl), "+OK", "a client still holding the previous password");
    // The second rotation retires the first password; the one before stays valid.
    const secondUrl = outputs.redisUrls.app;
    await s.pulumi(["config", "set", "redisAppPasswordEpoch", "2"]);
    await s.pulumi(["config", "set", "redisAdminPasswordEpoch", "2"]);
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    outputs = await s.outputs(STACK);
    assert.equal(await redisAuth(outputs.redisUrls.app), "+OK");
    assert.equal(await redisAuth(secondUrl), "+OK");
    assert.match(await redisAuth(firstUrl), /^-WRONGPASS/);
    assert.equal(await redisAuth(outputs.redisUrls.admin), "+OK");
    assert.match(await redisAuth(firstRedisAdminUrl), /^-WRONGPASS/);
    assert.equal(await redisCall(outputs.redisUrls.app, (r) => r.get("session:e2e")), "kept");
  });

  it("an unsafe new migration file fails `preview` with the lint's message before anything runs", async () => {
    const sql = path.join(s.project, "sql");
    const file = path.join(sql, "900_e2e_note.sql");
    fs.writeFileSync(
      file,
      "-- migrate:up\nCREATE TABLE e2e_note (id int);\nCREATE INDEX e2e_users ON users (created_at);\n",
    );
    const files = loadMigrations(readMigrationDirectory(sql));
    fs.writeFileSync(path.join(sql, "migrations.sum"), renderSumFile(files));
    const [finding] = await lintMigrations(files);
    const preview = await s.pulumi(["preview"], { allowFailure: true });
    assert.notEqual(preview.code, 0);
    // The same line `offthegrid-migrate lint` prints.
    assert.ok(
      (preview.stdout + preview.stderr).includes(formatFinding(finding)),
      `preview names ${formatFinding(finding)}\n${preview.stdout}\n${preview.stderr}`,
    );
    assert.match(
      formatFinding(finding),
      /^900_e2e_note\.sql:3 create-index-non-concurrent: CREATE INDEX on users/,
    );
    fs.rmSync(file);
    fs.writeFileSync(
      path.join(sql, "migrations.sum"),
      renderSumFile(loadMigrations(readMigrationDirectory(sql))),
    );
  });

  it("a new migration file: `preview` shows the SchemaMigrations update, `up` applies it", async () => {
    const sql = path.join(s.project, "sql");
    fs.writeFileSync(path.join(sql, "900_e2e_note.sql"), "-- migrate:up\nCREATE TABLE e2e_note (id int);\n");
    fs.writeFileSync(
      path.join(sql, "migrations.sum"),
      renderSumFile(loadMigrations(readMigrationDirectory(sql))),
    );
    const preview = await s.pulumi(["preview", "--json"]);
    assert.deepEqual(changes(preview.stdout), { schema: "update" });
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    const { rows } = await query(outputs.postgresUrls.owner, "SELECT to_regclass('e2e_note') AS t");
    assert.equal(rows[0].t, "e2e_note");
  });

  // The SchemaMigrations partial-failure path (the provider throws id/properties/reasons, the
  // engine records them) must store admin and roles as secrets like a successful update does.
  it("a migration that fails halfway: `up` fails, the partial state keeps admin and roles secret, the fixed file resumes", async () => {
    const sql = path.join(s.project, "sql");
    const file = path.join(sql, "901_e2e_halfway.sql");
    const write = (second: string) => {
      fs.writeFileSync(
        file,
        `-- migrate:no-transaction\n-- migrate:up\nCREATE TABLE e2e_half (id int);\n${second};\n`,
      );
      fs.writeFileSync(
        path.join(sql, "migrations.sum"),
        renderSumFile(loadMigrations(readMigrationDirectory(sql))),
      );
    };
    const history = async () =>
      (
        await query(
          outputs.postgresUrls.owner,
          "SELECT status, statements_done FROM migrations.history WHERE name = '901_e2e_halfway.sql'",
        )
      ).rows;
    write("SELECT 1 / 0");
    const failed = await s.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
    assert.notEqual(failed.code, 0);
    assert.match(
      failed.stdout + failed.stderr,
      /division by zero/,
      (failed.stdout + failed.stderr).slice(-3000),
    );
    assert.deepEqual(await history(), [{ status: "partial", statements_done: 1 }]);

    const text = s.stateText(STACK);
    const resources: { urn: string; inputs?: any; outputs?: any }[] =
      JSON.parse(text).checkpoint.latest.resources;
    const schemaState = resources.find((r) => r.urn.endsWith("::schema"));
    assert.ok(schemaState, "the schema resource is in the state");
    const SECRET_SIG = "4dabf18193072939515e22adb298388d";
    for (const where of ["inputs", "outputs"] as const)
      for (const key of ["admin", "roles"]) {
        const value: any = schemaState[where]?.[key];
        assert.equal(
          value?.[SECRET_SIG],
          "1b47061264138c4ac30d75fd1eb44270",
          `${where}.${key} is secret-wrapped`,
        );
        assert.ok(
          typeof value.ciphertext === "string" && !("plaintext" in value),
          `${where}.${key} is encrypted`,
        );
      }
    // The partial outputs list what the database has: every file but the failed one.
    assert.deepEqual(
      Object.keys(schemaState.outputs.migrations),
      fs.readdirSync(sql).filter((f) => f.endsWith(".sql") && f !== "901_e2e_halfway.sql"),
    );
    const passwords = ["admin", "owner", "app", "readonly"].map(
      (r) => new URL(outputs.postgresUrls[r]).password,
    );
    for (const password of passwords) assert.ok(!text.includes(password), "password in the partial state");

    write("SELECT 1");
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    assert.deepEqual(await history(), [{ status: "applied", statements_done: 2 }]);
  });

  it("`pulumi refresh` with the database stopped fails in seconds, naming it, and keeps the state", async () => {
    const before = s.stateText(STACK);
    await s.docker(() => stopProcess(names.postgres));
    const refresh = await s.pulumi(["refresh", "--yes", "--skip-preview"], { allowFailure: true });
    assert.notEqual(refresh.code, 0);
    assert.match(
      refresh.stdout + refresh.stderr,
      /cannot read the applied migrations from 127\.0\.0\.1:\d+\/offthegrid/,
    );
    assert.ok(refresh.ms < 60_000, `refresh took ${refresh.ms} ms`);
    const schema = (text: string) =>
      JSON.parse(text).checkpoint.latest.resources.find((r: { type: string }) =>
        r.type.endsWith("SchemaMigrations"),
      );
    assert.deepEqual(schema(s.stateText(STACK)).outputs.migrations, schema(before).outputs.migrations);
    await s.docker(() => startStopped(names.postgres));
    await s.pulumi(["refresh", "--yes", "--skip-preview"]);
  });

  it("kill -9 of Postgres and Redis: a plain `up` recreates both from their volumes, data kept", async () => {
    const countUsers = async () =>
      (await query(outputs.postgresUrls.owner, "SELECT count(*)::int AS n FROM users")).rows[0].n;
    await query(outputs.postgresUrls.owner, "CREATE TABLE e2e_crash AS SELECT 1 AS kept");
    const users = await countUsers();
    assert.equal(await redisCall(outputs.redisUrls.app, (r) => r.set("session:crash", "kept")), "OK");
    await s.docker(async () => {
      await crashContainer(names.postgres);
      await crashContainer(names.redis);
    });
    // Nothing reads Docker on a plain `up`; the liveness probes' diffs find both ports silent. The new Redis
    // container starts with the users its volume holds, not those of the first container's seed (two admin
    // rotations ago, which RedisUsers could no longer log in with).
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    outputs = await s.outputs(STACK);
    const { rows } = await query(outputs.postgresUrls.owner, "SELECT kept FROM e2e_crash");
    assert.deepEqual(rows, [{ kept: 1 }]);
    assert.equal(await countUsers(), users);
    assert.equal(await redisCall(outputs.redisUrls.app, (r) => r.get("session:crash")), "kept");
    assert.equal(await redisAuth(outputs.redisUrls.admin), "+OK");
    assert.match(
      await redisAuth(firstRedisAdminUrl),
      /^-WRONGPASS/,
      "a rotated-away admin password came back",
    );
  });

  it("a rebuilt image tag reaches the host, then `pulumi refresh`: `preview --expect-no-changes` passes (images pinned by digest)", async () => {
    const state = JSON.parse(s.stateText(STACK)).checkpoint.latest.resources as {
      type: string;
      inputs: any;
    }[];
    const images = state
      .filter((r) => r.type === "docker:index/remoteImage:RemoteImage")
      .map((r) => r.inputs.name);
    assert.equal(images.length, 2);
    await s.docker(() => images.forEach((name) => retagImage(name)));
    await s.pulumi(["refresh", "--yes", "--skip-preview"]);
    await s.pulumi(["preview", "--expect-no-changes"]);
  });

  it("`pulumi destroy` stops the processes cleanly (destroyGraceSeconds) and keeps the data volumes", async () => {
    assert.equal(await redisCall(outputs.redisUrls.app, (r) => r.set("session:last", "kept")), "OK");
    const pids = await s.docker(() =>
      [names.postgres, names.redis].map((n) => containerState(n)?.pid as number),
    );
    const started = Date.now();
    await s.pulumi(["destroy", "--yes", "--skip-preview"]);
    for (const pid of pids) assert.equal(alive(pid), false);
    const volumes = path.join(s.dockerRoot, "volumes");
    assert.ok(fs.existsSync(path.join(volumes, names.pgVolume, "PG_VERSION")));
    // pg_control's DBState (after system identifier, control and catalog versions): 1 = shut down cleanly,
    // 6 = still "in production", as a SIGKILL leaves it.
    const control = fs.readFileSync(path.join(volumes, names.pgVolume, "global", "pg_control"));
    assert.equal(control.readInt32LE(16), 1, "PostgreSQL shut down cleanly");
    // Redis writes its final RDB snapshot on SIGTERM (save points are configured), never on SIGKILL.
    const rdb = fs.statSync(path.join(volumes, names.redisVolume, "dump.rdb"));
    assert.ok(rdb.mtimeMs >= started - 1000, "Redis saved on shutdown");
  });

  it("a second `pulumi up` reuses the retained data", async () => {
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    outputs = await s.outputs(STACK);
    const { rows } = await query(outputs.postgresUrls.app, "SELECT count(*)::int AS n FROM users");
    assert.equal(rows[0].n, 1);
    assert.equal(await redisCall(outputs.redisUrls.app, (r) => r.get("session:e2e")), "kept");
    assert.equal(await redisCall(outputs.redisUrls.app, (r) => r.get("session:last")), "kept");
  });
});
