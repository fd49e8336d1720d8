// What the application's Redis user may touch. Shared by the dev redis.conf ACL and the ElastiCache RBAC access
// string so both environments confine the app identically.

/** The seed's key families: session:{user_id}, user_grids:{user_id}, grid_cache:{grid_id}, … */
export const APP_KEY_PATTERNS = [
  "session:*",
  "user_grids:*",
  "grid_cache:*",
  "ws_connections:*",
  "rate_limit:*",
  "temp:*",
] as const;

/**
 * An explicit allowlist rather than `+@all -@dangerous`: new commands in a Redis upgrade stay denied until we add
 * them. Connection commands are what ioredis sends while connecting (AUTH/HELLO, CLIENT SETNAME, INFO for its
 * ready check). No pub/sub: the app tracks websockets in sets, and Redis 7 denies channels by default anyway.
 * FLUSHALL, FLUSHDB, KEYS and SCAN (both enumerate key names outside the app's patterns; the app keeps its own
 * index sets where it needs to enumerate), CONFIG, DEBUG, SHUTDOWN, ACL, MONITOR … are absent on purpose.
 */
export const APP_COMMANDS = [
  // connection
  "auth",
  "hello",
  "ping",
  "echo",
  "quit",
  "reset",
  "info",
  "client|setname",
  "client|getname",
  "client|id",
  // strings and counters
  "get",
  "set",
  "setex",
  "psetex",
  "setnx",
  "getex",
  "getdel",
  "mget",
  "mset",
  "strlen",
  "incr",
  "incrby",
  "incrbyfloat",
  "decr",
  "decrby",
  // keyspace
  "del",
  "unlink",
  "exists",
  "expire",
  "pexpire",
  "expireat",
  "pexpireat",
  "ttl",
  "pttl",
  "persist",
  "type",
  // No SCAN: ACL key patterns do not filter its reply, so it would list every key name on the server (other
  // families, other tenants, operators' keys). HSCAN/SSCAN/ZSCAN stay: they name a key, which the ACL checks.
  // hashes
  "hget",
  "hset",
  "hsetnx",
  "hmget",
  "hmset",
  "hgetall",
  "hdel",
  "hincrby",
  "hincrbyfloat",
  "hexists",
  "hkeys",
  "hvals",
  "hlen",
  "hscan",
  // sets (websocket connections per user)
  "sadd",
  "srem",
  "smembers",
  "sismember",
  "smismember",
  "scard",
  "sscan",
  // sorted sets (sliding-window rate limits)
  "zadd",
  "zrem",
  "zrange",
  "zrangebyscore",
  "zrevrange",
  "zremrangebyscore",
  "zcard",
  "zcount",
  "zscore",
  "zincrby",
  // lists
  "lpush",
  "rpush",
  "lpop",
  "rpop",
  "lrange",
  "llen",
  "ltrim",
  "lrem",
  // transactions and scripts (ioredis defineCommand uses EVALSHA; key permissions still apply inside scripts)
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "eval",
  "evalsha",
  "script|load",
  "script|exists",
] as const;

/** Key patterns + commands in Redis ACL syntax, shared by redis.conf and ElastiCache access strings. */
export function appPermissions(): string {
  return [...APP_KEY_PATTERNS.map((p) => `~${p}`), "-@all", ...APP_COMMANDS.map((c) => `+${c}`)].join(" ");
}
