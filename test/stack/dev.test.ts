import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { isSecretValue, plain } from "../../testbed/mocks";
import { StackRun, ofType, runStack, stackConfig, valueOf } from "../../testbed/stack";
import { DEFAULT_POSTGRES_IMAGE, DEFAULT_REDIS_IMAGE } from "../../stack/config/keys";
import { DEFAULT_APP_KEY_PATTERNS, DEFAULT_CACHE_KEY_PATTERNS } from "../../stack/redis/key-patterns";

const CONTAINER = "docker:index/container:Container";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";
const PASSWORD = "random:index/randomPassword:RandomPassword";

const devStack = (stack = "dev", overrides: Record<string, string | undefined> = {}) =>
  runStack(stack, stackConfig("Pulumi.dev.yaml", overrides));

/** Every generated password value the mock handed out in this run. */
async function generatedPasswords(run: StackRun): Promise<string[]> {
  const outputs = run.outputs;
  const { readers, ...urls } = outputs.postgresUrls;
  const fromUrls = [...Object.values<string>(urls), ...readers].map((u) => new URL(u).password);
  return [...fromUrls, ...Object.values<string>(outputs.redisUrls).map((u) => new URL(u).password)];
}

describe("dev stack under mocks (Pulumi.dev.yaml)", function () {
  let run: StackRun;
  let withTools: StackRun;
  before(async () => {
    run = await devStack();
    withTools = await devStack("dev", { devTools: "true" });
  });

  it("registers Postgres and Redis on one network, with volumes and one password per role", () => {
    assert.deepEqual(
      ofType(run, CONTAINER)
        .map((c) => c.inputs.name)
        .sort(),
      ["offthegrid-dev-postgres", "offthegrid-dev-redis", "offthegrid-dev-redis-cache"],
    );
    assert.deepEqual(
      ofType(run, NETWORK).map((n) => n.inputs.name),
      ["offthegrid-dev-net"],
    );
    assert.deepEqual(
      ofType(run, VOLUME)
        .map((v) => v.inputs.name)
        .sort(),
      ["offthegrid-dev-pgdata", "offthegrid-dev-redis-cachedata", "offthegrid-dev-redisdata"],
    );
    assert.equal(
      ofType(run, PASSWORD).length,
      13,
      "8 credentials; the Postgres schema roles and Redis users with two slots each",
    );
    for (const c of ofType(run, CONTAINER)) {
      assert.deepEqual(
        c.inputs.networksAdvanced.map((n: any) => n.name),
        ["offthegrid-dev-net"],
      );
    }
  });

  it("generates passwords of >= 32 characters from letters, digits and '-' only, keyed by a rotation epoch", () => {
    for (const p of ofType(run, PASSWORD)) {
      assert.ok(p.inputs.length >= 32);
      assert.equal(p.inputs.special, true);
      assert.equal(p.inputs.overrideSpecial, "-");
      if (/(postgres(Owner|App|Readonly)|redis(Admin|App))-[ab]$/.test(p.name))
        assert.deepEqual(p.inputs.keepers, { slot: p.name.slice(-1), generation: "0" });
      else assert.deepEqual(p.inputs.keepers, { epoch: "0" });
    }
  });

  it("pulls exact image versions only (never latest); the data stores' images by digest", () => {
    const names = ofType(withTools, IMAGE)
      .map((i) => i.inputs.name)
      .sort();
    // Both Redis stores run the one pinned image, pulled once.
    assert.deepEqual(names, [
      "dpage/pgadmin4:9.8",
      "ghcr.io/joeferner/redis-commander:0.9.0",
      DEFAULT_POSTGRES_IMAGE,
      DEFAULT_REDIS_IMAGE,
    ]);
    for (const name of names) assert.match(name, /:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?(@sha256:[0-9a-f]{64})?$/);
    // A tag that docker-library rebuilds must not move the containers that hold data (docs/engine-tests.md,
    // 5).
    for (const name of [DEFAULT_POSTGRES_IMAGE, DEFAULT_REDIS_IMAGE])
      assert.match(name, /@sha256:[0-9a-f]{64}$/);
  });

  it("binds every published port to 127.0.0.1", () => {
    const ports = ofType(withTools, CONTAINER).flatMap((c) => c.inputs.ports);
    assert.equal(ports.length, 5);
    for (const port of ports) assert.equal(port.ip, "127.0.0.1");
    assert.deepEqual(ports.map((p: any) => p.external).sort(), [5432, 6379, 6380, 8080, 8081]);
  });

  it("gives every container a healthcheck, and waits for it", () => {
    for (const c of ofType(withTools, CONTAINER)) {
      assert.ok(c.inputs.healthcheck?.tests?.length > 0, `${c.name} has a healthcheck`);
      assert.equal(c.inputs.wait, true);
    }
    const byName = Object.fromEntries(ofType(run, CONTAINER).map((c) => [c.inputs.name, c]));
    assert.deepEqual(byName["offthegrid-dev-postgres"].inputs.healthcheck.tests.slice(0, 2), [
      "CMD",
      "pg_isready",
    ]);
    const redisCheck = byName["offthegrid-dev-redis"].inputs.healthcheck.tests.join(" ");
    assert.match(
      redisCheck,
      /REDISCLI_AUTH=healthcheck .*--user healthcheck/,
      "authenticated (as the PING-only user, so no secret and no rotation reaches it), unlike the seed's bare redis-cli ping",
    );
  });

  it("runs Postgres 17 with the seed's settings plus scram-sha-256 and pg_stat_statements", () => {
    const pg = ofType(run, CONTAINER).find((c) => c.inputs.name === "offthegrid-dev-postgres")!;
    const command: string[] = pg.inputs.command;
    for (const setting of [
      "max_connections=100",
      "reserved_connections=5",
      "shared_buffers=256MB",
      "effective_cache_size=1GB",
      "log_min_duration_statement=1000",
      "password_encryption=scram-sha-256",
      "shared_preload_libraries=pg_stat_statements",
    ]) {
      assert.ok(command.includes(setting), `missing -c ${setting}`);
    }
    assert.ok(!command.some((arg) => arg.includes("enable_seqscan")));
    assert.deepEqual(pg.inputs.volumes, [
      { volumeName: "offthegrid-dev-pgdata", containerPath: "/var/lib/postgresql/data" },
    ]);
  });

  it("hands passwords to containers as uploaded 0400 files, never as env values, command args or labels", async () => {
    const secrets = [...(await generatedPasswords(withTools)), ...(await toolPasswords(withTools))];
    assert.ok(secrets.length >= 8 && secrets.every((s) => s.length >= 32));
    for (const c of ofType(withTools, CONTAINER)) {
      const visible = JSON.stringify([
        c.inputs.envs,
        c.inputs.command,
        c.inputs.labels,
        c.inputs.healthcheck,
      ]);
      for (const secret of secrets) assert.ok(!visible.includes(secret), `${c.name} exposes a password`);
      for (const env of c.inputs.envs ?? []) {
        const [key] = env.split("=");
        if (/PASSWORD|SECRET|TOKEN/.test(key))
          assert.match(key, /_FILE$/, `${c.name}: ${key} must be the _FILE form`);
      }
      assert.ok(isSecretValue(c.inputs.uploads), `${c.name}: uploads reach the provider as a secret`);
      for (const upload of plain(c.inputs.uploads)) {
        // Secrets are readable by their owner only; the one script (the re-key entrypoint) is read+execute.
        const script = upload.file.endsWith(".sh");
        assert.equal(upload.permissions, script ? "0555" : "0400", upload.file);
        if (script) assert.doesNotMatch(upload.content, /SCRAM-SHA-256\$|postgresql:\/\//);
      }
    }
    const pg = ofType(withTools, CONTAINER).find((c) => c.inputs.name === "offthegrid-dev-postgres")!;
    const pwFile = plain(pg.inputs.uploads).find((u: any) => u.file === "/run/secrets/postgres-password");
    assert.equal(pwFile.content, new URL(withTools.outputs.postgresUrls.admin).password);
    assert.ok(pg.inputs.envs.includes("POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password"));
  });

  it("uploads a redis.conf without users; the users (hashes only) go to the aclfile seed and the live RedisUsers", async () => {
    const redis = ofType(run, CONTAINER).find((c) => c.inputs.name === "offthegrid-dev-redis")!;
    const upload = (file: string): string =>
      plain(redis.inputs.uploads).find((u: any) => u.file === file).content;
    const conf = upload("/usr/local/etc/redis/redis.conf");
    const seed = upload("/usr/local/etc/redis/users.acl.seed");
    const appPassword = new URL(run.outputs.redisUrls.app).password;
    assert.ok(!conf.includes(appPassword) && !seed.includes(appPassword));
    assert.doesNotMatch(
      conf,
      /^user /m,
      "a rotation must not change redis.conf (it would replace the container)",
    );
    assert.match(conf, /^aclfile \/data\/users\.acl$/m);
    assert.match(seed, /^user app on #[0-9a-f]{64} /m);
    assert.match(conf, /^maxmemory 256mb$/m);
    assert.match(conf, /^maxmemory-policy noeviction$/m);
    assert.match(conf, /^timeout 300$/m);
    assert.deepEqual(redis.inputs.command, ["redis-server", "/usr/local/etc/redis/redis.conf"]);
    const opts = run.options.find((o) => o.type === CONTAINER && o.name === "local-redis")!;
    assert.deepEqual(opts.opts.ignoreChanges, ["uploads[2]"], "the seed is the third upload");
    assert.equal(plain(redis.inputs.uploads)[2].file, "/usr/local/etc/redis/users.acl.seed");
  });

  it("runs the cache store beside the state store: its own container, volume and port, allkeys-lru, the same users", async () => {
    const byName = Object.fromEntries(ofType(run, CONTAINER).map((c) => [c.inputs.name, c]));
    const upload = (c: string, file: string): string =>
      plain(byName[c].inputs.uploads).find((u: any) => u.file === file).content;
    const conf = (c: string) => upload(c, "/usr/local/etc/redis/redis.conf");
    const seed = (c: string) => upload(c, "/usr/local/etc/redis/users.acl.seed");
    const cache = byName["offthegrid-dev-redis-cache"];
    assert.equal(cache.inputs.image, byName["offthegrid-dev-redis"].inputs.image);
    assert.deepEqual(
      cache.inputs.ports.map((p: any) => [p.ip, p.external, p.internal]),
      [["127.0.0.1", 6380, 6379]],
    );
    assert.deepEqual(cache.inputs.volumes, [
      { volumeName: "offthegrid-dev-redis-cachedata", containerPath: "/data" },
    ]);
    assert.deepEqual(
      cache.inputs.networksAdvanced.map((n: any) => n.aliases),
      [["redis-cache"]],
    );
    assert.match(conf("offthegrid-dev-redis-cache"), /^maxmemory 256mb$/m);
    assert.match(conf("offthegrid-dev-redis-cache"), /^maxmemory-policy allkeys-lru$/m);
    assert.match(conf("offthegrid-dev-redis"), /^maxmemory-policy noeviction$/m);
    // The same client bounds: only the memory lines differ between the two files.
    const differing = (a: string, b: string) => {
      const lines = b.split("\n");
      return a.split("\n").filter((l, i) => l !== lines[i]);
    };
    assert.deepEqual(differing(conf("offthegrid-dev-redis-cache"), conf("offthegrid-dev-redis")), [
      "maxmemory-policy allkeys-lru",
    ]);
    // One credential set: the same password hashes, the app user's families per store.
    const users = (c: string) =>
      Object.fromEntries(
        seed(c)
          .trim()
          .split("\n")
          .map((l) => [l.split(" ")[1], l.split(" ").slice(2)]),
      );
    const state = users("offthegrid-dev-redis");
    const cached = users("offthegrid-dev-redis-cache");
    assert.deepEqual(Object.keys(cached), Object.keys(state));
    assert.deepEqual(cached.admin, state.admin);
    const hashes = (rules: string[]) => rules.filter((r) => r.startsWith("#"));
    assert.deepEqual(hashes(cached.app), hashes(state.app));
    const families = (rules: string[]) => rules.filter((r) => r.startsWith("~")).map((r) => r.slice(1));
    assert.deepEqual(families(state.app), [...DEFAULT_APP_KEY_PATTERNS]);
    assert.deepEqual(families(cached.app), [...DEFAULT_CACHE_KEY_PATTERNS]);
    // Each store's live users are applied through its own port.
    const live = ofType(run, "pulumi-nodejs:dynamic/offthegrid:RedisUsers").map((u) => u.inputs.port);
    assert.deepEqual(live.sort(), [6379, 6380]);
    // Outputs: both stores, the same users.
    assert.deepEqual(run.outputs.redis.cache, { host: "127.0.0.1", port: 6380, tls: false });
    const cacheApp = new URL(run.outputs.redisUrls.cacheApp);
    assert.deepEqual([cacheApp.username, cacheApp.port], ["app", "6380"]);
    assert.equal(cacheApp.password, new URL(run.outputs.redisUrls.app).password);
    const cacheAdmin = new URL(run.outputs.redisUrls.cacheAdmin);
    assert.deepEqual([cacheAdmin.username, cacheAdmin.port], ["admin", "6380"]);
    assert.equal(cacheAdmin.password, new URL(run.outputs.redisUrls.admin).password);
    // Its size is its own key.
    const sized = await devStack("dev", { redisCacheMaxmemoryMb: "64", redisCacheHostPort: "16380" });
    const sizedCache = ofType(sized, CONTAINER).find((c) => c.inputs.name === "offthegrid-dev-redis-cache")!;
    const sizedConf = plain(sizedCache.inputs.uploads)[0].content;
    assert.match(sizedConf, /^maxmemory 64mb$/m);
    assert.equal(sizedCache.inputs.ports[0].external, 16380);
  });

  it("replaces containers delete-before-replace, keeps volumes on destroy, parents every child", () => {
    for (const o of run.options.filter((o) => o.type === CONTAINER))
      assert.equal(o.opts.deleteBeforeReplace, true, o.name);
    for (const o of run.options.filter((o) => o.type === VOLUME))
      assert.equal(o.opts.retainOnDelete, true, o.name);
    // The network's fixed name collides with itself under create-before-delete (pulumi-docker#1356).
    for (const o of run.options.filter((o) => o.type === NETWORK))
      assert.equal(o.opts.deleteBeforeReplace, true);
    const roots = run.options.filter((o) => !o.parentName || o.parentName.startsWith("offthegrid-database-"));
    assert.deepEqual(roots.map((o) => o.name).sort(), ["credentials", "local", "schema"]);
  });

  it("data-store containers stop gracefully, must run, and are recreated when their port stops answering", () => {
    const liveness = ofType(run, "pulumi-nodejs:dynamic/offthegrid:ServiceLiveness");
    for (const c of ofType(run, CONTAINER)) {
      // Unset, the provider force-removes (SIGKILL) on replace and destroy.
      assert.ok(c.inputs.destroyGraceSeconds >= 30, `${c.name} destroyGraceSeconds`);
      assert.equal(c.inputs.mustRun, true, c.name);
      const probe = liveness.find((l) => l.name === `${c.name}-liveness`);
      assert.ok(probe, `${c.name} has a liveness probe`);
      assert.deepEqual(
        { host: probe.inputs.host, port: probe.inputs.port },
        { host: c.inputs.ports[0].ip, port: c.inputs.ports[0].external },
      );
      const opts = run.options.find((o) => o.type === CONTAINER && o.name === c.name)?.opts;
      assert.ok(pulumi.Output.isInstance(opts?.replacementTrigger), `${c.name} replacementTrigger`);
    }
    assert.deepEqual(liveness.map((l) => l.inputs.protocol).sort(), ["postgres", "redis", "redis"]);
  });

  it("makes every top-level output wholly secret or free of secrets (Automation API, actions, StackReference)", async () => {
    const secretOnes = ["postgresUrls", "redisUrls", "toolPasswords"];
    for (const [name, value] of Object.entries(withTools.exports)) {
      const output = pulumi.output(value);
      if (secretOnes.includes(name)) assert.equal(await pulumi.isSecret(output), true, `${name} is secret`);
      else
        assert.equal(await containsSecret(value), false, `${name} holds no secret, so consumers can read it`);
    }
    assert.deepEqual(Object.keys(await valueOf<object>(withTools.exports.toolPasswords)).sort(), [
      "pgadmin",
      "redisCommander",
    ]);
  });

  it("exports connection details per role and the Redis app URL", () => {
    const { postgres, redis } = run.outputs;
    assert.equal(postgres.host, "127.0.0.1");
    assert.equal(postgres.port, 5432);
    // Epoch 0: slot b is current (stack/credentials/slots.ts); the URLs log in as that member of each group.
    for (const [role, user] of Object.entries({
      admin: "postgres",
      owner: "offthegrid_owner_b",
      app: "offthegrid_app_b",
      readonly: "offthegrid_readonly_b",
    })) {
      const url = new URL(run.outputs.postgresUrls[role]);
      assert.equal(url.username, user);
      assert.equal(postgres.roles[role], user);
      assert.equal(url.pathname, "/offthegrid");
      assert.equal(url.searchParams.get("sslmode"), "disable");
    }
    assert.deepEqual(postgres.roleGroups, {
      owner: "offthegrid_owner",
      app: "offthegrid_app",
      readonly: "offthegrid_readonly",
    });
    assert.deepEqual(postgres.app, { host: "127.0.0.1", port: 5432 });
    assert.equal(redis.appUser, "app");
    const redisUrl = new URL(run.outputs.redisUrls.app);
    assert.equal(redisUrl.protocol, "redis:");
    assert.equal(redisUrl.username, "app");
    assert.equal(redisUrl.port, "6379");
  });

  it("a devToolsPasswordEpoch bump gives pgAdmin a fresh config volume, so the new password is the login", async () => {
    const volumeOf = (r: StackRun) =>
      ofType(r, VOLUME).find((v) => /pgadmin/.test(v.inputs.name))!.inputs.name;
    const bumped = await devStack("dev", { devTools: "true", devToolsPasswordEpoch: "1" });
    assert.equal(volumeOf(withTools), "offthegrid-dev-pgadmin-e0");
    assert.equal(volumeOf(bumped), "offthegrid-dev-pgadmin-e1");
    const pgadminVolume = withTools.options.find((o) => o.type === VOLUME && /pgadmin/.test(o.name))!;
    assert.notEqual(
      pgadminVolume.opts.retainOnDelete,
      true,
      "UI state only: the old epoch's volume goes away",
    );
  });

  it("runs pgAdmin and Redis Commander only when devTools is on", async () => {
    assert.equal(ofType(run, CONTAINER).length, 3);
    assert.deepEqual(run.outputs.tools, {});
    const names = ofType(withTools, CONTAINER)
      .map((c) => c.inputs.name)
      .sort();
    assert.deepEqual(names, [
      "offthegrid-dev-pgadmin",
      "offthegrid-dev-postgres",
      "offthegrid-dev-redis",
      "offthegrid-dev-redis-cache",
      "offthegrid-dev-redis-commander",
    ]);
    assert.equal(withTools.outputs.tools.pgadmin.url, "http://127.0.0.1:8080");
    assert.equal(withTools.outputs.tools.pgadmin.login, "admin@offthegrid.example.com");
    const pgadmin = ofType(withTools, CONTAINER).find((c) => c.inputs.name === "offthegrid-dev-pgadmin")!;
    const servers = JSON.parse(
      plain(pgadmin.inputs.uploads).find((u: any) => u.file === "/pgadmin4/servers.json").content,
    );
    assert.equal(servers.Servers["1"].Host, "postgres");
    const commander = ofType(withTools, CONTAINER).find(
      (c) => c.inputs.name === "offthegrid-dev-redis-commander",
    )!;
    const conf = JSON.parse(plain(commander.inputs.uploads)[0].content);
    assert.equal(conf.connections[0].username, "admin");
    assert.equal(conf.connections[0].host, "redis");
  });

  it("lets two dev stacks share a host: no shared names, no shared ports", async () => {
    const other = await devStack("alice", {
      postgresHostPort: "15432",
      redisHostPort: "16379",
      redisCacheHostPort: "16380",
      devTools: "true",
      pgadminHostPort: "18080",
      redisCommanderHostPort: "18081",
    });
    const names = (r: StackRun) =>
      [CONTAINER, VOLUME, NETWORK].flatMap((t) => ofType(r, t).map((x) => x.inputs.name as string));
    const ports = (r: StackRun) =>
      ofType(r, CONTAINER).flatMap((c) => c.inputs.ports.map((p: any) => p.external));
    const sharedNames = names(other).filter((n) => names(withTools).includes(n));
    const sharedPorts = ports(other).filter((p) => ports(withTools).includes(p));
    assert.deepEqual(sharedNames, []);
    assert.deepEqual(sharedPorts, []);
    assert.ok(names(other).every((n) => n.startsWith("offthegrid-alice-")));
  });

  for (const [key, credential, role] of [
    ["postgresOwnerPasswordEpoch", "postgresOwner", "owner"],
    ["postgresAppPasswordEpoch", "postgresApp", "app"],
    ["postgresReadonlyPasswordEpoch", "postgresReadonly", "readonly"],
  ] as const) {
    it(`bumping ${key} regenerates one member's password; outputs carry it, the schema step keeps the previous`, async () => {
      const rotated = await devStack("dev", { [key]: "1" });
      const keepers = (r: StackRun) =>
        Object.fromEntries(ofType(r, PASSWORD).map((p) => [p.name, JSON.stringify(p.inputs.keepers)]));
      const before = keepers(run);
      const after = keepers(rotated);
      const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
      assert.deepEqual(changed, [`credentials-${credential}-a`]);
      const group = `offthegrid_${role}`;
      const url = new URL(rotated.outputs.postgresUrls[role]);
      assert.equal(url.username, `${group}_a`);
      assert.equal(rotated.outputs.postgres.roles[role], `${group}_a`);
      const schemaRoles = (r: StackRun) =>
        plain(r.resources.find((x) => x.type.includes("SchemaMigrations"))!.inputs).roles;
      const { current, previous, ...rest } = schemaRoles(rotated)[role];
      assert.deepEqual(rest, { group, epoch: 1 });
      assert.deepEqual(
        [current.name, current.password, previous.name],
        [`${group}_a`, url.password, `${group}_b`],
      );
      // The previous member is the one the outputs carried before the bump, with the same password.
      assert.equal(previous.password, new URL(run.outputs.postgresUrls[role]).password);
      assert.deepEqual(schemaRoles(run)[role].current, previous);
    });
  }

  it("fails before registering any resource when the config is invalid", async () => {
    await assert.rejects(
      devStack("dev", { postgresHostPort: "22" }),
      /offthegrid-database:postgresHostPort: "22"/,
    );
  });
});

async function toolPasswords(run: StackRun): Promise<string[]> {
  return Object.values(await valueOf<Record<string, string>>(run.exports.toolPasswords));
}

/** True when any Output inside `value` (objects and arrays walked) is secret. */
async function containsSecret(value: unknown): Promise<boolean> {
  if (pulumi.Output.isInstance(value)) {
    if (await pulumi.isSecret(value)) return true;
    return containsSecret(await valueOf(value));
  }
  if (Array.isArray(value)) return (await Promise.all(value.map(containsSecret))).some(Boolean);
  if (typeof value === "object" && value !== null)
    return (await Promise.all(Object.values(value).map(containsSecret))).some(Boolean);
  return false;
}
