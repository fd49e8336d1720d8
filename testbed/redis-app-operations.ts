// The Off the Grid API's Redis operations, one named entry each, as ioredis calls: what the app user must be
// able to do with the default redisAppKeyPatterns (state store) and redisCacheKeyPatterns (cache store). The
// integration tests run every entry as the app user on a real redis-server of its store; the traffic harness
// can draw its Redis load from the same table.
import type Redis from "ioredis";
import type { RedisStore } from "../stack/redis/stores";

export interface RedisAppOperation {
  /** What the API does, and the key family it touches. */
  readonly name: string;
  /** Where its family lives: redisAppKeyPatterns (the state store) or redisCacheKeyPatterns (the cache). */
  readonly store: RedisStore;
  /** Runs the operation for one user/id; throws (e.g. NOPERM) when the server refuses it. */
  readonly run: (client: Redis, id: string) => Promise<void>;
  /** Needs SCAN (redisAppScan); the login path must never be one of these. */
  readonly scan?: boolean;
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`unexpected reply: ${what}`);
}

/** Every command of a MULTI/EXEC must succeed; ioredis reports per-command errors in the reply. */
async function exec(pipeline: ReturnType<Redis["multi"]>, what: string): Promise<unknown[]> {
  // A command refused while queueing (NOPERM) aborts the whole transaction: report that refusal, not
  // EXECABORT.
  const replies = await pipeline.exec().catch((err: Error & { previousErrors?: Error[] }) => {
    throw err.previousErrors?.[0] ?? err;
  });
  expect(replies !== null, `${what}: transaction aborted`);
  for (const [err] of replies ?? []) if (err) throw err;
  return (replies ?? []).map(([, value]) => value);
}

async function scanAll(client: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 100);
    found.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return found;
}

export const REDIS_APP_OPERATIONS: readonly RedisAppOperation[] = [
  {
    name: "login: store the session (SET session:{user_id} EX)",
    store: "state",
    run: async (c, id) => {
      await c.set(`session:${id}`, JSON.stringify({ user: id }), "EX", 3600);
      expect((await c.get(`session:${id}`)) !== null, "session stored");
    },
  },
  {
    name: "login: index the session per user (SADD/EXPIRE/SMEMBERS user:{id}:sessions)",
    store: "state",
    run: async (c, id) => {
      await exec(
        c.multi().sadd(`user:${id}:sessions`, `s-${id}`).expire(`user:${id}:sessions`, 3600),
        "index",
      );
      expect((await c.smembers(`user:${id}:sessions`)).includes(`s-${id}`), "session indexed");
    },
  },
  {
    name: "every request: token revocation check (EXISTS jwt_blacklist:{jti})",
    store: "state",
    run: async (c, id) => expect((await c.exists(`jwt_blacklist:${id}`)) === 0, "token not revoked"),
  },
  {
    name: "logout: revoke the token (SET jwt_blacklist:{jti} EX) and drop the session (DEL, SREM)",
    store: "state",
    run: async (c, id) => {
      await c.set(`jwt_blacklist:${id}`, "1", "EX", 900);
      await c.del(`session:${id}`);
      await c.srem(`user:${id}:sessions`, `s-${id}`);
      expect((await c.exists(`jwt_blacklist:${id}`)) === 1, "token revoked");
    },
  },
  {
    name: "session cleanup: SCAN MATCH session:* then TTL/DEL each",
    store: "state",
    scan: true,
    run: async (c, id) => {
      await c.set(`session:cleanup-${id}`, "x");
      for (const key of await scanAll(c, "session:*")) if ((await c.ttl(key)) === -1) await c.del(key);
      expect((await c.exists(`session:cleanup-${id}`)) === 0, "stale session removed");
    },
  },
  {
    name: "session stats: count session:* with SCAN MATCH",
    store: "state",
    scan: true,
    run: async (c, id) => {
      await c.set(`session:stats-${id}`, "x", "EX", 60);
      expect((await scanAll(c, "session:*")).includes(`session:stats-${id}`), "session counted");
    },
  },
  {
    name: "websocket connect: SADD user:{id}:connections, SET ws:{user}:{conn} EX",
    store: "state",
    run: async (c, id) => {
      await c.sadd(`user:${id}:connections`, `conn-${id}`);
      await c.set(`ws:${id}:conn-${id}`, JSON.stringify({ since: 0 }), "EX", 300);
      expect((await c.scard(`user:${id}:connections`)) >= 1, "connection tracked");
    },
  },
  {
    name: "websocket disconnect: SREM user:{id}:connections, DEL ws:{user}:{conn}",
    store: "state",
    run: async (c, id) => {
      await c.srem(`user:${id}:connections`, `conn-${id}`);
      await c.del(`ws:${id}:conn-${id}`);
    },
  },
  {
    name: "recent activity feed: LPUSH/LTRIM/EXPIRE/LRANGE user:{id}:recent_activities",
    store: "cache",
    run: async (c, id) => {
      const key = `user:${id}:recent_activities`;
      await exec(c.multi().lpush(key, "grid-created").ltrim(key, 0, 49).expire(key, 86400), "feed");
      expect((await c.lrange(key, 0, 9))[0] === "grid-created", "activity listed");
    },
  },
  {
    name: "activity counter: INCR/EXPIRE/GET activity:{user}:{type}",
    store: "cache",
    run: async (c, id) => {
      await exec(c.multi().incr(`activity:${id}:login`).expire(`activity:${id}:login`, 86400), "counter");
      expect(Number(await c.get(`activity:${id}:login`)) >= 1, "activity counted");
    },
  },
  {
    name: "grid state: HSET/HGETALL/EXPIRE grid:{id}",
    store: "state",
    run: async (c, id) => {
      await c.hset(`grid:${id}`, { status: "running", upper: "2.5", lower: "1.5" });
      await c.expire(`grid:${id}`, 3600);
      expect((await c.hgetall(`grid:${id}`)).status === "running", "grid read back");
    },
  },
  {
    name: "response cache: SET cache:{key} EX, GET, DEL",
    store: "cache",
    run: async (c, id) => {
      await c.set(`cache:summary-${id}`, "{}", "EX", 60);
      expect((await c.get(`cache:summary-${id}`)) === "{}", "cache hit");
      await c.del(`cache:summary-${id}`);
    },
  },
  {
    name: "rate limit: sliding window in MULTI/EXEC (ZREMRANGEBYSCORE/ZADD/ZCARD/EXPIRE rate_limit:{user}:{type})",
    store: "state",
    run: async (c, id) => {
      const key = `rate_limit:${id}:api`;
      const now = Date.now();
      const replies = await exec(
        c
          .multi()
          .zremrangebyscore(key, 0, now - 60_000)
          .zadd(key, now, `${now}-${id}`)
          .zcard(key)
          .expire(key, 60),
        "window",
      );
      expect(Number(replies[2]) >= 1, "request counted");
    },
  },
  {
    name: "wallet lookup cache: SET user_cache:{wallet} EX, GET",
    store: "cache",
    run: async (c, id) => {
      await c.set(`user_cache:9${id}`, JSON.stringify({ id }), "EX", 600);
      expect((await c.get(`user_cache:9${id}`)) !== null, "wallet cached");
    },
  },
  {
    name: "seed: user_grids:{user_id} (SADD/SMEMBERS)",
    store: "cache",
    run: async (c, id) => {
      await c.sadd(`user_grids:${id}`, "g-1");
      expect((await c.smembers(`user_grids:${id}`)).includes("g-1"), "grid listed");
    },
  },
  {
    name: "seed: grid_cache:{grid_id} (SET EX/GET)",
    store: "cache",
    run: async (c, id) => {
      await c.set(`grid_cache:${id}`, "{}", "EX", 60);
      expect((await c.get(`grid_cache:${id}`)) === "{}", "grid cached");
    },
  },
  {
    name: "seed: ws_connections:{user_id} (SADD/SREM/SCARD)",
    store: "state",
    run: async (c, id) => {
      await c.sadd(`ws_connections:${id}`, "a", "b");
      await c.srem(`ws_connections:${id}`, "a");
      expect((await c.scard(`ws_connections:${id}`)) === 1, "one connection left");
    },
  },
  {
    name: "seed: rate_limit:{ip_address} fixed window (INCR/EXPIRE in MULTI/EXEC)",
    store: "state",
    run: async (c, id) => {
      const replies = await exec(
        c.multi().incr(`rate_limit:10.0.0.${id.length}`).expire(`rate_limit:10.0.0.${id.length}`, 60),
        "ip",
      );
      expect(Number(replies[0]) >= 1, "ip counted");
    },
  },
  {
    name: "seed: temp:{key} (SET EX/GETDEL)",
    store: "cache",
    run: async (c, id) => {
      await c.set(`temp:${id}`, "nonce", "EX", 30);
      expect((await c.getdel(`temp:${id}`)) === "nonce", "nonce consumed");
    },
  },
];
