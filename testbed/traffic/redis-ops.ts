// The application's Redis access patterns, one key family per operation (so a run can be restricted to what a
// stack grants), with the commands the Off the Grid API sends: strings with TTLs, sets, hashes, capped lists,
// counters, and sliding-window rate limits in MULTI/EXEC.
import type Redis from "ioredis";
import { DEFAULT_CACHE_KEY_PATTERNS } from "../../stack/redis/key-patterns";
import type { RedisStore } from "../../stack/redis/stores";
import { redisUserId, type OpContext, type Operation } from "./workload";

/** The seed's families (the first redis.conf ACL). */
export const SEED_FAMILIES = [
  "session:{user_id}",
  "user_grids:{user_id}",
  "grid_cache:{grid_id}",
  "ws_connections:{user_id}",
  "rate_limit:{user_id}:{type}",
  "temp:{key}",
] as const;

/** The families the application's own Redis code uses besides those. */
export const APP_FAMILIES = [
  "user:{id}:sessions",
  "user:{id}:connections",
  "user:{id}:recent_activities",
  "grid:{id}",
  "ws:{user_id}:{conn}",
  "jwt_blacklist:{jti}",
  "activity:{user_id}:{type}",
  "cache:{key}",
  "user_cache:{wallet}",
] as const;

export const ALL_FAMILIES: readonly string[] = [...SEED_FAMILIES, ...APP_FAMILIES];

const DAY_S = 86_400;
/** Idempotency keys outlive any resend (APP_DEADLINE_MS) by far. */
const MARKER_TTL_S = 600;

/** MULTI/EXEC that fails as a whole when any queued command failed (ioredis reports those per command). */
async function transaction(r: Redis, build: (m: ReturnType<Redis["multi"]>) => void): Promise<unknown[]> {
  const m = r.multi();
  build(m);
  const results = (await m.exec()) ?? [];
  for (const [err] of results) if (err) throw err;
  return results.map(([, v]) => v);
}

/**
 * SET key value EX ttl, recorded as a value check (later writes may overwrite it; the last one must be
 * there).
 */
async function setValue(ctx: OpContext, key: string, ttlS: number, overwritten: boolean): Promise<void> {
  const value = ctx.nextId();
  try {
    // A unique value: setting it twice leaves the same state.
    await ctx.redis.request((r) => r.set(key, value, "EX", ttlS), "idempotent");
  } catch (err) {
    if (overwritten) ctx.ledger.unacknowledged(key, value);
    throw err;
  }
  ctx.ledger.ack({
    id: value,
    store: "redis",
    probe: "redis.get",
    check: "value",
    key,
    value,
    at: ctx.now(),
    ttlMs: ttlS * 1000,
  });
}

async function addMember(ctx: OpContext, key: string, member: string, ttlS: number): Promise<void> {
  await ctx.redis.request((r) => transaction(r, (m) => m.sadd(key, member).expire(key, ttlS)), "idempotent");
  ctx.ledger.ack({
    id: member,
    store: "redis",
    probe: "redis.set",
    check: "member",
    key,
    value: member,
    at: ctx.now(),
    ttlMs: ttlS * 1000,
  });
}

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
const CACHE_GLOBS = DEFAULT_CACHE_KEY_PATTERNS.map(glob);

/**
 * The store a key lives in, by the stack's default family lists (stack/redis/key-patterns.ts): the cache
 * store for a cache family, else the state store (whose ACL refuses what is neither). Also for the ledger's
 * probe keys (`grid:… updated`).
 */
export function redisStoreOf(key: string): RedisStore {
  return CACHE_GLOBS.some((g) => g.test(key)) ? "cache" : "state";
}

/** A family's keys as the app builds them: every {placeholder} becomes an id. */
const sampleKey = (family: string) => family.replace(/\{[a-z_]+\}/g, "x1");

function op(
  name: string,
  family: string,
  weight: number,
  run: (ctx: OpContext) => Promise<unknown>,
  ready?: Operation["ready"],
): Operation {
  // Each family goes to its store, so the operation's body just uses ctx.redis.
  const cache = redisStoreOf(sampleKey(family)) === "cache";
  return {
    name,
    store: "redis",
    families: [family],
    weight,
    ready,
    run: async (ctx) => void (await run(cache ? { ...ctx, redis: ctx.redisCache } : ctx)),
  };
}

export const REDIS_OPERATIONS: readonly Operation[] = [
  // Login: the session document per user, the user's set of session ids, the wallet's profile cache.
  op("redis.session_set", "session:{user_id}", 2, (ctx) =>
    setValue(ctx, `session:${redisUserId(ctx.user)}`, DAY_S, true),
  ),
  op("redis.session_get", "session:{user_id}", 6, (ctx) =>
    ctx.redis.request((r) => r.get(`session:${redisUserId(ctx.user)}`), "idempotent"),
  ),
  op("redis.user_sessions_add", "user:{id}:sessions", 1, (ctx) =>
    addMember(ctx, `user:${redisUserId(ctx.user)}:sessions`, ctx.nextId(), DAY_S),
  ),
  op("redis.user_cache_set", "user_cache:{wallet}", 1, (ctx) =>
    setValue(ctx, `user_cache:${ctx.user.wallet}`, 300, true),
  ),
  // Logout: the token's id is blacklisted until it would have expired; every request checks it.
  op("redis.jwt_blacklist_set", "jwt_blacklist:{jti}", 1, (ctx) =>
    setValue(ctx, `jwt_blacklist:${ctx.nextId()}`, 3600, false),
  ),
  op("redis.jwt_blacklist_check", "jwt_blacklist:{jti}", 4, (ctx) => {
    const session = ctx.user.sessions[ctx.user.sessions.length - 1];
    return ctx.redis.request(
      (r) => r.exists(`jwt_blacklist:${session?.jti ?? ctx.user.localId}`),
      "idempotent",
    );
  }),
  // Sliding-window rate limit, as the API runs it: trim, add, count, expire in one MULTI/EXEC.
  op("redis.rate_limit_window", "rate_limit:{user_id}:{type}", 4, async (ctx) => {
    const key = `rate_limit:${redisUserId(ctx.user)}:api`;
    const member = ctx.nextId();
    const now = ctx.now();
    // Idempotent: a fixed cut-off and a unique member (a second run adds nothing; ZCARD counts it once).
    await ctx.redis.request(
      (r) =>
        transaction(r, (m) =>
          m
            .zremrangebyscore(key, 0, now - 60_000)
            .zadd(key, now, member)
            .zcard(key)
            .expire(key, 60),
        ),
      "idempotent",
    );
    ctx.ledger.ack({
      id: member,
      store: "redis",
      probe: "redis.zset",
      check: "member",
      key,
      value: member,
      at: now,
      ttlMs: 60_000,
    });
  }),
  // Grids: the API's cached view, the grid hash, the user's grid ids.
  op("redis.grid_cache_set", "grid_cache:{grid_id}", 1, (ctx) =>
    setValue(ctx, `grid_cache:${redisUserId(ctx.user)}-0`, 300, true),
  ),
  op("redis.grid_cache_get", "grid_cache:{grid_id}", 3, (ctx) =>
    ctx.redis.request((r) => r.get(`grid_cache:${redisUserId(ctx.user)}-0`), "idempotent"),
  ),
  op("redis.grid_hash_set", "grid:{id}", 1, async (ctx) => {
    const key = `grid:${redisUserId(ctx.user)}-0`;
    const value = ctx.nextId();
    try {
      await ctx.redis.request(
        (r) => transaction(r, (m) => m.hset(key, "status", "active", "updated", value).expire(key, DAY_S)),
        "idempotent",
      );
    } catch (err) {
      ctx.ledger.unacknowledged(`${key} updated`, value);
      throw err;
    }
    ctx.ledger.ack({
      id: value,
      store: "redis",
      probe: "redis.hget",
      check: "value",
      key: `${key} updated`,
      value,
      at: ctx.now(),
      ttlMs: DAY_S * 1000,
    });
  }),
  op("redis.user_grids_add", "user_grids:{user_id}", 1, (ctx) =>
    addMember(ctx, `user_grids:${redisUserId(ctx.user)}`, ctx.nextId(), DAY_S),
  ),
  // Websockets: the connection set per user (seed and app names), the connection's own key.
  op("redis.ws_connections_add", "ws_connections:{user_id}", 1, async (ctx) => {
    const conn = ctx.nextId();
    await addMember(ctx, `ws_connections:${redisUserId(ctx.user)}`, conn, 3600);
    ctx.user.connections.push(conn);
  }),
  op("redis.user_connections_add", "user:{id}:connections", 1, (ctx) =>
    addMember(ctx, `user:${redisUserId(ctx.user)}:connections`, ctx.nextId(), 3600),
  ),
  op("redis.ws_set", "ws:{user_id}:{conn}", 1, (ctx) =>
    setValue(ctx, `ws:${redisUserId(ctx.user)}:${ctx.nextId()}`, 3600, false),
  ),
  // Activity: per-type counters and the capped recent-activity list.
  op("redis.activity_incr", "activity:{user_id}:{type}", 2, async (ctx) => {
    const key = `activity:${redisUserId(ctx.user)}:quiz`;
    const id = ctx.nextId();
    // INCR is not idempotent. The app profile tags the increment with an idempotency key written in the same
    // MULTI/EXEC (both or neither, also in the AOF), so after a dropped connection the restarted server can
    // say whether it was applied; strict sends the bare INCR and never resends it.
    const marker = `${key}:op:${id}`;
    const app = ctx.redis.profile === "app";
    try {
      await ctx.redis.request(
        (r) =>
          transaction(r, (m) => {
            m.incr(key).expire(key, DAY_S);
            if (app) m.set(marker, "1", "EX", MARKER_TTL_S);
          }),
        app ? { applied: async (r) => (await r.exists(marker)) === 1 } : "once",
      );
    } catch (err) {
      ctx.ledger.unacknowledgedIncrement("redis", "redis.counter", key);
      throw err;
    }
    ctx.ledger.ack({
      id,
      store: "redis",
      probe: "redis.counter",
      check: "count",
      key,
      at: ctx.now(),
      ttlMs: DAY_S * 1000,
    });
  }),
  op("redis.recent_activities_push", "user:{id}:recent_activities", 1, async (ctx) => {
    const key = `user:${redisUserId(ctx.user)}:recent_activities`;
    const item = ctx.nextId();
    // LPUSH is not idempotent, but the item is unique: after a dropped connection, the list says whether it
    // went in (this user's requests are sequential, so 50 newer items cannot have trimmed it away meanwhile).
    await ctx.redis.request(
      (r) => transaction(r, (m) => m.lpush(key, item).ltrim(key, 0, 49).expire(key, DAY_S)),
      { applied: async (r) => (await r.lrange(key, 0, 49)).includes(item) },
    );
    ctx.ledger.ack({
      id: item,
      store: "redis",
      probe: "redis.list",
      check: "member",
      key,
      value: item,
      at: ctx.now(),
      ttlMs: DAY_S * 1000,
    });
  }),
  op("redis.cache_set", "cache:{key}", 1, (ctx) =>
    setValue(ctx, `cache:leaderboard:${redisUserId(ctx.user)}`, 300, true),
  ),
  op("redis.temp_set", "temp:{key}", 1, (ctx) => setValue(ctx, `temp:${ctx.nextId()}`, 30, false)),
];

/** The families whose keys an ACL with these key patterns (`~pattern` globs) lets the app user touch. */
export function familiesGranted(patterns: readonly string[]): string[] {
  const globs = patterns.map(glob);
  return ALL_FAMILIES.filter((f) => globs.some((g) => g.test(sampleKey(f))));
}

/** Where the harness sends each family: state families to the state store, cache ones to the cache. */
export const FAMILY_STORES: Readonly<Record<string, RedisStore>> = Object.fromEntries(
  ALL_FAMILIES.map((f) => [f, redisStoreOf(sampleKey(f))]),
);
