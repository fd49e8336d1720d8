// What the application's Redis user may touch. Shared by the dev redis.conf ACL and the ElastiCache RBAC
// access string so both environments confine the app identically.
import { DEFAULT_APP_KEY_PATTERNS, keyPatternsProblems } from "./key-patterns";

export { DEFAULT_APP_KEY_PATTERNS };

/**
 * An explicit allowlist rather than `+@all -@dangerous`: new commands in a Redis upgrade stay denied until we
 * add them. Connection commands are what ioredis sends while connecting (AUTH/HELLO, CLIENT SETNAME, INFO for
 * its ready check). No pub/sub: the app tracks websockets in sets, and Redis 7 denies channels by default
 * anyway. FLUSHALL, FLUSHDB, KEYS (blocks the server while it walks every key), CONFIG, DEBUG, SHUTDOWN, ACL,
 * MONITOR, scripting … are absent on purpose. INFO stays whole: ioredis's ready check sends a bare INFO to
 * wait out AOF loading after a restart, and Redis 7 ACLs can only allow first arguments (`+info|persistence`,
 * which refuses the bare INFO: ioredis then skips the check with a warning), never deny one. So INFO's
 * default sections (server, keyspace, …) stay visible to the app; test/adversarial/redis-scripts.test.ts pins
 * that behaviour.
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
  // SCAN is granted only by RedisAppAccess.scan. HSCAN/SSCAN/ZSCAN name a key, which the ACL checks.
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
  // Transactions (the API's sliding-window rate limits run ZREMRANGEBYSCORE/ZADD/ZCARD/EXPIRE in MULTI/EXEC).
  // No scripting at all (EVAL, EVALSHA, SCRIPT, FUNCTION, FCALL): a script runs unbounded on the server's
  // only thread (`while true do end` answers BUSY to every client, and only SCRIPT KILL, which the app cannot
  // have without also killing the admin's scripts, ends it), SCRIPT LOAD caches scripts outside maxmemory
  // (1,500 x 100 KB evicted every key, then OOM for the admin), and redis.log writes forged lines into the
  // server log. Neither the API nor ioredis needs them: ioredis sends EVALSHA only for commands an
  // application defines itself.
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
] as const;

/** Enumerates keys; see RedisAppAccess.scan for why it is a switch. */
export const SCAN_COMMAND = "scan";

export interface RedisAppAccess {
  /** ACL key patterns (validated by stack/redis/key-patterns.ts). */
  readonly keyPatterns: readonly string[];
  /**
   * Grant SCAN. Redis ACL key patterns do not filter SCAN's reply (it names no key): with it the app user
   * lists every key name on the instance, other families' and operators' included (not their values). Right
   * for an instance dedicated to this application, whose session cleanup and stats enumerate `session:*` with
   * SCAN MATCH; wrong for a shared one. KEYS stays denied either way (it blocks the server for O(N)).
   */
  readonly scan: boolean;
}

export const DEFAULT_APP_ACCESS: RedisAppAccess = { keyPatterns: DEFAULT_APP_KEY_PATTERNS, scan: true };

/** Key patterns + commands in Redis ACL syntax, shared by the dev ACL and ElastiCache access strings. */
export function appPermissions(access: RedisAppAccess): string {
  const problems = keyPatternsProblems(access.keyPatterns);
  if (problems.length > 0) throw new Error(`Redis app key patterns: ${problems.join("; ")}`);
  const commands = access.scan ? [...APP_COMMANDS, SCAN_COMMAND] : APP_COMMANDS;
  return [...access.keyPatterns.map((p) => `~${p}`), "-@all", ...commands.map((c) => `+${c}`)].join(" ");
}
