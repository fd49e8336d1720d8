import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Redis, { RedisOptions } from "ioredis";
import * as net from "node:net";
import { redisHealthcheck } from "../../stack/redis/container";
import { DEFAULT_APP_ACCESS, DEFAULT_APP_KEY_PATTERNS, appPermissions } from "../../stack/redis/access";
import { DEFAULT_CACHE_KEY_PATTERNS } from "../../stack/redis/key-patterns";
import type { RedisStore } from "../../stack/redis/stores";
import { REDIS_APP_OPERATIONS } from "../../testbed/redis-app-operations";
import { redisPasswordHash } from "../../stack/redis/conf";
import { RedisServer, startRedis } from "../../testbed/redis-server";
import { freePort } from "../../testbed/ports";

const ADMIN_PASSWORD = "admin-Pw-0123456789abcdefghijklmnopqrstu";
const APP_PASSWORD = "app-Pw-0123456789abcdefghijklmnopqrstuvw";

/**
 * One inline command over a raw socket; returns the first reply line (ioredis cannot stay unauthenticated).
 */
function rawCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(`${command}\r\n`));
    socket.once("data", (data) => (socket.destroy(), resolve(data.toString().split("\r\n")[0])));
    socket.once("error", reject);
  });
}

describe("Redis with the rendered redis.conf (real redis-server)", function () {
  let server: RedisServer;
  /** The cache store beside it: allkeys-lru, the app user's cache families, the same users. */
  let cacheServer: RedisServer;
  const clients: Redis[] = [];
  const connect = (options: RedisOptions) => {
    const client = new Redis({
      host: "127.0.0.1",
      port: server.port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      ...options,
    });
    client.on("error", () => undefined);
    clients.push(client);
    return client;
  };
  const admin = () => connect({ username: "admin", password: ADMIN_PASSWORD });
  const app = () => connect({ username: "app", password: APP_PASSWORD });
  const appOn = (store: RedisStore) =>
    connect({
      username: "app",
      password: APP_PASSWORD,
      port: (store === "state" ? server : cacheServer).port,
    });
  const patternsOf = (store: RedisStore) =>
    store === "state" ? DEFAULT_APP_KEY_PATTERNS : DEFAULT_CACHE_KEY_PATTERNS;

  before(async () => {
    server = await startRedis({
      maxmemoryMb: 256,
      adminUser: "admin",
      appUser: "app",
      adminPasswordHash: redisPasswordHash(ADMIN_PASSWORD),
      appPasswordHash: redisPasswordHash(APP_PASSWORD),
    });
    cacheServer = await startRedis({
      maxmemoryMb: 256,
      store: "cache",
      adminUser: "admin",
      appUser: "app",
      adminPasswordHash: redisPasswordHash(ADMIN_PASSWORD),
      appPasswordHash: redisPasswordHash(APP_PASSWORD),
      appAccess: { keyPatterns: DEFAULT_CACHE_KEY_PATTERNS, scan: true },
    });
  });
  // Each test's connections end with it: a few dozen idle clients' buffers count against maxmemory too.
  afterEach(() => clients.splice(0).forEach((c) => c.disconnect()));
  after(async () => {
    await server?.stop();
    await cacheServer?.stop();
  });

  it("refuses commands without AUTH, and the default user cannot log in", async () => {
    assert.match(await rawCommand(server.port, "PING"), /^-NOAUTH/);
    assert.match(await rawCommand(server.port, "GET session:1"), /^-NOAUTH/);
    assert.match(await rawCommand(server.port, "AUTH default anything"), /^-WRONGPASS/);
    assert.match(await rawCommand(server.port, "AUTH anything"), /^-WRONGPASS/);
  });

  it("rejects a wrong password for the app user", async () => {
    const wrong = connect({ username: "app", password: "not-the-password" });
    const reported = new Promise<string>((resolve) => wrong.once("error", (e: Error) => resolve(e.message)));
    await assert.rejects(wrong.connect());
    assert.match(await reported, /WRONGPASS/);
  });

  it("lets an ioredis client connect as the app user, ready check (INFO) and CLIENT SETNAME included", async () => {
    const client = connect({ username: "app", password: APP_PASSWORD, connectionName: "offthegrid-api" });
    await client.connect();
    assert.equal(client.status, "ready");
    assert.equal(await client.client("GETNAME"), "offthegrid-api");
  });

  // Each of the Off the Grid API's operations (testbed/redis-app-operations.ts), as the app user on the
  // store its family belongs to, default config; and refused (NOPERM) on the other store.
  for (const operation of REDIS_APP_OPERATIONS) {
    it(`lets the app user run on the ${operation.store} store: ${operation.name}`, async () => {
      const client = appOn(operation.store);
      await client.connect();
      await operation.run(client, "42");
      const other = appOn(operation.store === "state" ? "cache" : "state");
      await other.connect();
      await assert.rejects(operation.run(other, "42"), /NOPERM/);
    });
  }

  for (const store of ["state", "cache"] as const) {
    it(`needs every default key pattern of the ${store} store: without any one, some operation is refused`, async () => {
      const control = connect({
        username: "admin",
        password: ADMIN_PASSWORD,
        port: (store === "state" ? server : cacheServer).port,
      });
      await control.connect();
      for (const [i, pattern] of patternsOf(store).entries()) {
        const rest = patternsOf(store).filter((p) => p !== pattern);
        const rules = appPermissions({ ...DEFAULT_APP_ACCESS, keyPatterns: rest }).split(" ");
        await control.call("ACL", "SETUSER", "app-probe", "reset", "on", ">probe-password", ...rules);
        const client = connect({
          username: "app-probe",
          password: "probe-password",
          port: (store === "state" ? server : cacheServer).port,
        });
        await client.connect();
        const refused: string[] = [];
        for (const operation of REDIS_APP_OPERATIONS.filter((o) => o.store === store)) {
          await operation.run(client, `probe-${i}`).catch((err: Error) => {
            if (/NOPERM/.test(err.message)) refused.push(operation.name);
            else throw err;
          });
        }
        client.disconnect();
        assert.ok(refused.length > 0, `no operation needs ${pattern}`);
      }
      await control.call("ACL", "DELUSER", "app-probe");
    });
  }

  it("keeps the login path free of SCAN: with redisAppScan off, login operations still work and SCAN is refused", async () => {
    const control = admin();
    await control.connect();
    const rules = appPermissions({ ...DEFAULT_APP_ACCESS, scan: false }).split(" ");
    await control.call("ACL", "SETUSER", "app-noscan", "reset", "on", ">noscan-password", ...rules);
    const client = connect({ username: "app-noscan", password: "noscan-password" });
    await client.connect();
    for (const operation of REDIS_APP_OPERATIONS.filter((o) => !o.scan && o.store === "state"))
      await operation.run(client, "43");
    await assert.rejects(client.scan("0", "MATCH", "session:*"), /NOPERM/);
    await control.call("ACL", "DELUSER", "app-noscan");
  });

  it("confines the app user to its key patterns", async () => {
    const client = app();
    await client.connect();
    await assert.rejects(client.set("users:1", "x"), /NOPERM/);
    await assert.rejects(client.get("session"), /NOPERM/);
    await assert.rejects(client.get("ops:rotation"), /NOPERM/, "the operators' family");
    await assert.rejects(client.get("user:1:profile"), /NOPERM/, "user:* only for the three listed families");
    // Scripts cannot escape the key permissions either.
    await assert.rejects(
      client.eval("return redis.call('SET', KEYS[1], 'x')", 1, "other:1"),
      /NOPERM|permission/i,
    );
  });

  const denied: [string, string[]][] = [
    ["FLUSHALL", []],
    ["FLUSHDB", []],
    ["KEYS", ["*"]],
    ["KEYS", ["session:*"]],
    ["EVAL", ["return 1", "0"]],
    ["EVALSHA", ["e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"]],
    ["SCRIPT", ["LOAD", "return 1"]],
    ["SCRIPT", ["KILL"]],
    ["FUNCTION", ["LIST"]],
    ["FCALL", ["f", "0"]],
    ["CONFIG", ["GET", "maxmemory"]],
    ["DEBUG", ["SLEEP", "0"]],
    ["SHUTDOWN", ["NOSAVE"]],
    ["ACL", ["LIST"]],
    ["MONITOR", []],
    ["SUBSCRIBE", ["session-events"]],
    ["PUBLISH", ["session-events", "x"]],
    ["CLIENT", ["KILL", "ID", "1"]],
    ["SELECT", ["1"]],
  ];
  for (const [command, args] of denied) {
    it(`denies the app user ${command} ${args.join(" ")}`, async () => {
      const client = app();
      await client.connect();
      await assert.rejects(
        client.call(command, ...args),
        command === "DEBUG" ? /NOPERM|not allowed/ : /NOPERM/,
      );
      // And the ACL itself denies it, whatever other server settings say.
      const control = admin();
      await control.connect();
      assert.match(String(await control.call("ACL", "DRYRUN", "app", command, ...args)), /no permissions/);
    });
  }

  it("runs the cache store with the seed's allkeys-lru and otherwise the state store's settings", async () => {
    const settings = async (port: number) => {
      const client = connect({ username: "admin", password: ADMIN_PASSWORD, port });
      await client.connect();
      const all = (await client.call("CONFIG", "GET", "*")) as string[];
      const map: Record<string, string> = {};
      for (let i = 0; i < all.length; i += 2) map[all[i]] = all[i + 1];
      return map;
    };
    const state = await settings(server.port);
    const cache = await settings(cacheServer.port);
    const differing = Object.keys(state).filter((k) => state[k] !== cache[k]);
    // Paths and ports are the test's; only the policy is the store's.
    assert.deepEqual(differing.sort(), ["dir", "maxmemory-policy", "port"]);
    assert.equal(cache["maxmemory-policy"], "allkeys-lru");
    assert.equal(state["maxmemory-policy"], "noeviction");
    assert.equal(cache.appendonly, "yes");
  });

  it("has maxmemory 256mb with noeviction, client bounds, AOF everysec and RDB snapshots in force", async () => {
    const client = admin();
    await client.connect();
    const config = async (name: string) => ((await client.call("CONFIG", "GET", name)) as string[])[1];
    assert.equal(await config("maxmemory"), String(256 * 1024 * 1024));
    assert.equal(await config("maxmemory-policy"), "noeviction");
    assert.equal(await config("proto-max-bulk-len"), String(1024 * 1024));
    assert.equal(await config("client-query-buffer-limit"), String(2 * 1024 * 1024));
    assert.equal(await config("maxmemory-clients"), "10%");
    assert.equal(await config("timeout"), "300");
    assert.match(await config("client-output-buffer-limit"), /^normal 8388608 2097152 10 /);
    assert.equal(await config("appendonly"), "yes");
    assert.equal(await config("appendfsync"), "everysec");
    assert.equal(await config("save"), "900 1 300 10 60 10000");
    assert.equal(await config("hash-max-listpack-entries"), "512");
    assert.match(await client.info("persistence"), /aof_enabled:1/);
    assert.ok(fs.existsSync(path.join(server.dir, "appendonlydir")), "AOF directory exists");
    const acl = (await client.call("ACL", "LIST")) as string[];
    assert.ok(
      acl.some((line) => /^user default off /.test(line)),
      `default user is off: ${acl.join(" | ")}`,
    );
  });

  it("refuses writes (OOM) instead of evicting keys when memory is full", async () => {
    const control = admin();
    await control.connect();
    await control.call("CONFIG", "SET", "maxmemory", String(4 * 1024 * 1024));
    try {
      const client = app();
      await client.connect();
      const value = "x".repeat(10_000);
      const refused: string[] = [];
      for (let i = 0; i < 1000; i++)
        await client.set(`grid:bulk-${i}`, value).catch((e: Error) => refused.push(e.message));
      const stats = await control.info("stats");
      assert.equal(Number(/evicted_keys:(\d+)/.exec(stats)?.[1]), 0, "nothing evicted");
      assert.ok(refused.length > 0 && /^OOM /.test(refused[0]), `refused: ${refused.length}`);
      assert.equal(await client.get("grid:bulk-0"), value, "the oldest write is kept");
    } finally {
      const keys = await control.keys("grid:bulk-*");
      if (keys.length) await control.unlink(...keys);
      await control.call("CONFIG", "SET", "maxmemory", String(256 * 1024 * 1024));
    }
  });

  it("passes the container's healthcheck (PING-only user, no secret), and fails it when nothing answers", async () => {
    const run = (port: number) => {
      const [kind, script] = redisHealthcheck(port);
      assert.equal(kind, "CMD-SHELL");
      return spawnSync("sh", ["-c", script], { encoding: "utf8" }).status;
    };
    assert.equal(run(server.port), 0);
    assert.notEqual(run(await freePort()), 0);
    // The healthcheck user can do nothing else.
    const probe = connect({ username: "healthcheck", password: "healthcheck" });
    await probe.connect().catch(() => undefined);
    await assert.rejects(probe.call("GET", "session:1"), /NOPERM/);
  });
});
