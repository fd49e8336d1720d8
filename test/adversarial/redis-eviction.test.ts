// The invariant: a flood of cache-family writes never evicts revocations
// (jwt_blacklist:*), rate-limit windows (rate_limit:*), sessions (session:*, user:*:sessions) or the
// operators' ops:* keys; state that must not vanish fails loudly (OOM) when full instead, and the seed's LRU
// stays for what is truly cache. Against the two stores as the stack runs them: two real redis-servers from
// the stack's rendered redis.conf (the state store noeviction, the cache store allkeys-lru), each at a 32 MB
// maxmemory, with the app user's families per store. The floods and the NOPERM probes are generated from the
// two family lists (stack/redis/key-patterns.ts), so a family added to either list is attacked without
// editing this file.
import { strict as assert } from "node:assert";
import Redis from "ioredis";
import type { RedisServer } from "../../testbed/redis-server";
import { DEFAULT_APP_KEY_PATTERNS, DEFAULT_CACHE_KEY_PATTERNS } from "../../stack/redis/key-patterns";
import { info, startStackRedis } from "./redis-raw";

const ADMIN = "adv-evict-admin-Pw-0123456789abcdefg";
const APP = "adv-evict-app-Pw-0123456789abcdefghij";
const MAXMEMORY_MB = 32;
const USERS = 200;
const VALUE = "c".repeat(16 * 1024);
/** 64 MB of 16 KB values: twice either store's maxmemory. */
const FLOOD_KEYS = (2 * MAXMEMORY_MB * 1024) / 16;

/** A key of the family, as the app builds them: every `*` an id. */
const keyOf = (pattern: string, id: string) => pattern.replace(/\*/g, id);

interface Survivors {
  revoked: number;
  rateLimit: number;
  /** Users whose session document and session index both survived. */
  sessions: number;
  ops: number;
}

describe("adversarial: Redis eviction of security state (a state and a cache redis-server, the stack's redis.conf)", function () {
  let state: RedisServer;
  let cache: RedisServer;
  const clients: Redis[] = [];
  let stateAdmin: Redis;
  let stateApp: Redis;
  let cacheAdmin: Redis;
  let cacheApp: Redis;
  const connect = async (server: RedisServer, username: string, password: string) => {
    const client = new Redis({ host: "127.0.0.1", port: server.port, username, password, lazyConnect: true });
    client.on("error", () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  };

  /** The state the API and the operators keep, with the API's own TTLs. */
  async function seed(app: Redis, admin: Redis): Promise<void> {
    await app.set("jwt_blacklist:revoked-jti", "1", "EX", 3600);
    await app.multi().zadd("rate_limit:u0:api", Date.now(), "m1").expire("rate_limit:u0:api", 60).exec();
    const p = app.pipeline();
    for (let i = 0; i < USERS; i++) {
      p.set(`session:u${i}`, JSON.stringify({ user: i, pad: "s".repeat(300) }), "EX", 86_400);
      p.sadd(`user:u${i}:sessions`, `sid-${i}`).expire(`user:u${i}:sessions`, 86_400);
    }
    await p.exec();
    await admin.set("ops:maintenance-note", "do not delete");
    await admin.hset("ops:runbook-state", "step", "3");
  }

  async function survivors(admin: Redis): Promise<Survivors> {
    const p = admin.pipeline();
    for (let i = 0; i < USERS; i++) p.exists(`session:u${i}`, `user:u${i}:sessions`);
    const counts = ((await p.exec()) ?? []).map(([, n]) => Number(n));
    return {
      revoked: await admin.exists("jwt_blacklist:revoked-jti"),
      rateLimit: await admin.zcard("rate_limit:u0:api"),
      sessions: counts.filter((n) => n === 2).length,
      ops: await admin.exists("ops:maintenance-note", "ops:runbook-state"),
    };
  }

  const INTACT: Survivors = { revoked: 1, rateLimit: 1, sessions: USERS, ops: 2 };

  /** 64 MB spread over the families, SET … EX 300 as the API writes its cache; returns the error replies. */
  async function flood(client: Redis, families: readonly string[], tag: string): Promise<string[]> {
    const errors: string[] = [];
    for (let batch = 0; batch < FLOOD_KEYS / 256; batch++) {
      const p = client.pipeline();
      for (let i = 0; i < 256; i++)
        p.set(keyOf(families[i % families.length], `${tag}-${batch}-${i}`), VALUE, "EX", 300);
      for (const [err] of (await p.exec()) ?? []) if (err) errors.push(err.message);
    }
    return errors;
  }

  const evicted = async (admin: Redis) => Number((await info(admin, "stats")).evicted_keys);

  before(async () => {
    state = await startStackRedis(MAXMEMORY_MB, ADMIN, APP, "state");
    cache = await startStackRedis(MAXMEMORY_MB, ADMIN, APP, "cache");
    stateAdmin = await connect(state, "admin", ADMIN);
    stateApp = await connect(state, "app", APP);
    cacheAdmin = await connect(cache, "admin", ADMIN);
    cacheApp = await connect(cache, "app", APP);
  });
  beforeEach(async () => {
    for (const admin of [stateAdmin, cacheAdmin]) {
      await admin.flushall();
      await admin.config("RESETSTAT");
    }
    await seed(stateApp, stateAdmin);
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await state?.stop();
    await cache?.stop();
  });

  it("a flood of every cache family at twice the cache's maxmemory evicts cache keys only: every write succeeds, the state store is intact", async () => {
    const errors = await flood(cacheApp, DEFAULT_CACHE_KEY_PATTERNS, "flood");
    assert.deepEqual(errors, [], "the cache store is an LRU: a full cache makes room, it never refuses");
    assert.ok((await evicted(cacheAdmin)) > 0, "the cache evicted its coldest keys");
    assert.ok((await cacheAdmin.dbsize()) < FLOOD_KEYS, "not every flood key fits in the cache");
    const left = await survivors(stateAdmin);
    assert.deepEqual(left, INTACT, `state after the cache flood: ${JSON.stringify(left)}`);
    assert.equal(await evicted(stateAdmin), 0);
    // The revoked token is still refused: the API's per-request check answers "blacklisted".
    assert.equal(await stateApp.exists("jwt_blacklist:revoked-jti"), 1);
  });

  it("the app cannot put a state family into the cache store, nor a cache family into the state store (NOPERM, each family)", async () => {
    const accepted: string[] = [];
    const probe = async (where: string, client: Redis, pattern: string) => {
      const key = keyOf(pattern, "probe");
      const reply = await client.set(key, "x", "EX", 60).catch((e: Error) => e.message);
      if (!/^NOPERM/.test(String(reply))) accepted.push(`${where} ${key}: ${String(reply)}`);
    };
    // The operators' family is state too: the app reaches it in neither store.
    for (const pattern of [...DEFAULT_APP_KEY_PATTERNS, "ops:*"]) await probe("cache", cacheApp, pattern);
    for (const pattern of [...DEFAULT_CACHE_KEY_PATTERNS, "ops:*"]) await probe("state", stateApp, pattern);
    assert.deepEqual(accepted, []);
    // …while each store takes its own families.
    for (const pattern of DEFAULT_APP_KEY_PATTERNS)
      assert.equal(await stateApp.set(keyOf(pattern, "own"), "x", "EX", 60), "OK", pattern);
    for (const pattern of DEFAULT_CACHE_KEY_PATTERNS)
      assert.equal(await cacheApp.set(keyOf(pattern, "own"), "x", "EX", 60), "OK", pattern);
  });

  it("state that must not vanish fails loudly when full: a flood of every state family is refused with OOM, nothing is evicted", async () => {
    const errors = await flood(stateApp, DEFAULT_APP_KEY_PATTERNS, "flood");
    assert.ok(errors.length > 0, "the state store should refuse the flood once full");
    assert.match(errors[0], /^OOM /);
    assert.equal(await evicted(stateAdmin), 0);
    assert.deepEqual(await survivors(stateAdmin), INTACT);
  });

  it("the price, and the way out: a full state store refuses every write, the admin's too, but not DEL/UNLINK", async () => {
    await flood(stateApp, ["session:*"], "flood");
    const big = "b".repeat(512 * 1024);
    await assert.rejects(stateApp.set("session:new-login", big, "EX", 86_400), /OOM/);
    await assert.rejects(stateAdmin.set("ops:after", big), /OOM/);
    // The cache store is not affected: the outage is confined to state.
    assert.equal(await cacheApp.set("cache:during-outage", big, "EX", 300), "OK");
    // The runbook (docs/runbooks.md, "Redis is full"): the admin frees the flood by family, then writes
    // again.
    let cursor = "0";
    do {
      const [next, keys] = await stateAdmin.scan(cursor, "MATCH", "session:flood-*", "COUNT", 1000);
      if (keys.length) await stateAdmin.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
    assert.equal(await stateAdmin.set("ops:after", big), "OK");
    assert.equal(await stateApp.set("session:new-login", big, "EX", 86_400), "OK");
  });

  // Why two stores: Redis evicts by instance, never by family. The seed's one instance (allkeys-lru) and
  // volatile-lru (the API gives state TTLs too) both let the cache flood evict state kept beside it. Measured
  // on the cache server with the state written beside the cache, as one instance held it.
  for (const policy of ["allkeys-lru", "volatile-lru"]) {
    it(`measured alternative: one instance with ${policy} lets the same flood evict the revocation, the window or sessions`, async () => {
      await cacheAdmin.config("SET", "maxmemory-policy", policy);
      try {
        await seed(cacheAdmin, cacheAdmin);
        await flood(cacheApp, DEFAULT_CACHE_KEY_PATTERNS, "flood");
        const left = await survivors(cacheAdmin);
        assert.ok(
          left.revoked + left.rateLimit === 0 || left.sessions < USERS,
          `${policy} kept every state key: ${JSON.stringify(left)}`,
        );
      } finally {
        await cacheAdmin.config("SET", "maxmemory-policy", "allkeys-lru");
      }
    });
  }
});
