// Issue #26 item 3, the invariant: a flood of writes inside the app's own `cache:*` family never evicts
// revocations (jwt_blacklist:*), rate-limit windows (rate_limit:*), sessions (session:*, user:*:sessions) or
// the operators' ops:* keys; when the instance is full, writes fail loudly (OOM) instead. Against a real
// redis-server with the stack's rendered redis.conf at a 32 MB maxmemory, flooded with twice that as the app
// user, the way the API writes its cache (SET … EX 300).
import { strict as assert } from "node:assert";
import Redis from "ioredis";
import type { RedisServer } from "../../testbed/redis-server";
import { startStackRedis } from "./redis-raw";

const ADMIN = "adv-evict-admin-Pw-0123456789abcdefg";
const APP = "adv-evict-app-Pw-0123456789abcdefghij";
const MAXMEMORY_MB = 32;
const USERS = 200;

interface Survivors {
  revoked: number;
  rateLimit: number;
  /** Users whose session document and session index both survived. */
  sessions: number;
  ops: number;
}

describe("adversarial: Redis eviction of security state (real redis-server, the stack's redis.conf)", function () {
  let server: RedisServer;
  let admin: Redis;
  let app: Redis;
  const connect = async (username: string, password: string) => {
    const client = new Redis({ host: "127.0.0.1", port: server.port, username, password, lazyConnect: true });
    client.on("error", () => undefined);
    await client.connect();
    return client;
  };

  /** The state the API and the operators keep, with the API's own TTLs. */
  async function seed(): Promise<void> {
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

  async function survivors(): Promise<Survivors> {
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

  /** 64 MB of 16 KB cache entries (twice maxmemory), pipelined as the app; returns the error replies. */
  async function flood(): Promise<string[]> {
    const value = "c".repeat(16 * 1024);
    const errors: string[] = [];
    for (let batch = 0; batch < 16; batch++) {
      const p = app.pipeline();
      for (let i = 0; i < 256; i++) p.set(`cache:flood:${batch}:${i}`, value, "EX", 300);
      for (const [err] of (await p.exec()) ?? []) if (err) errors.push(err.message);
    }
    return errors;
  }

  before(async () => {
    server = await startStackRedis(MAXMEMORY_MB, ADMIN, APP);
    admin = await connect("admin", ADMIN);
    app = await connect("app", APP);
  });
  beforeEach(async () => {
    await admin.flushall();
    await seed();
  });
  after(async () => {
    app?.disconnect();
    admin?.disconnect();
    await server?.stop();
  });

  it("a 64 MB cache:* flood evicts nothing: every state key survives, the flood's writes fail with OOM", async () => {
    const errors = await flood();
    const left = await survivors();
    assert.deepEqual(
      left,
      { revoked: 1, rateLimit: 1, sessions: USERS, ops: 2 },
      `after the flood (${errors.length} writes refused): ${JSON.stringify(left)}`,
    );
    assert.ok(errors.length > 0, "the flood should have been refused once the instance was full");
    assert.match(errors[0], /^OOM /);
    // The revoked token is still refused: the API's per-request check answers "blacklisted".
    assert.equal(await app.exists("jwt_blacklist:revoked-jti"), 1);
  });

  it("the price, and the way out: a full instance refuses every write, the admin's too, but not DEL/UNLINK", async () => {
    await flood();
    const big = "b".repeat(512 * 1024);
    await assert.rejects(app.set("session:new-login", big, "EX", 86_400), /OOM/);
    await assert.rejects(admin.set("ops:after", big), /OOM/);
    // The runbook (docs/runbooks.md, "Redis is full"): the admin frees the flood by family, then writes
    // again.
    let cursor = "0";
    do {
      const [next, keys] = await admin.scan(cursor, "MATCH", "cache:flood:*", "COUNT", 1000);
      if (keys.length) await admin.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
    assert.equal(await admin.set("ops:after", big), "OK");
    assert.equal(await app.set("session:new-login", big, "EX", 86_400), "OK");
  });

  // Why not `volatile-lru` (evict only keys with a TTL): the API gives revocations, rate-limit windows and
  // sessions TTLs, so they are as evictable as the cache. Measured here by switching this server to it.
  it("measured alternative: volatile-lru lets the same flood evict the revocation, the window and sessions", async () => {
    await admin.config("SET", "maxmemory-policy", "volatile-lru");
    try {
      await admin.flushall();
      await seed();
      await flood();
      const left = await survivors();
      assert.ok(
        left.revoked + left.rateLimit === 0 || left.sessions < USERS,
        `volatile-lru kept every state key: ${JSON.stringify(left)}`,
      );
      assert.equal(left.ops, 2, "ops:* keys have no TTL, so volatile-lru never picks them");
    } finally {
      await admin.config("SET", "maxmemory-policy", "noeviction");
    }
  });
});
