// Renders redis.conf for the dev container (and the integration tests, which substitute only paths and ports).
// Pure: passwords arrive as SHA-256 hashes so the file never holds a plaintext secret.
import { createHash } from "node:crypto";
import { RedisAppAccess, appPermissions } from "./access";

export interface RedisConfOptions {
  readonly bind: readonly string[];
  readonly port: number;
  readonly dir: string;
  readonly maxmemoryMb: number;
  readonly adminUser: string;
  readonly appUser: string;
  /** SHA-256 hex digests, as produced by redisPasswordHash. */
  readonly adminPasswordHash: string;
  readonly appPasswordHash: string;
  /** Key patterns and SCAN for the app user (config: redisAppKeyPatterns, redisAppScan). */
  readonly appAccess: RedisAppAccess;
}

export function redisPasswordHash(password: string): string {
  return createHash("sha256").update(password, "utf8").digest("hex");
}

export function renderRedisConf(o: RedisConfOptions): string {
  for (const [name, hash] of [
    ["adminPasswordHash", o.adminPasswordHash],
    ["appPasswordHash", o.appPasswordHash],
  ]) {
    if (!/^[0-9a-f]{64}$/.test(hash))
      throw new Error(`renderRedisConf: ${name} must be a SHA-256 hex digest`);
  }
  for (const user of [o.adminUser, o.appUser]) {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(user) || user === "default") {
      throw new Error(
        `renderRedisConf: invalid user name "${user}" (lower-case letters, digits, _ or -; not "default")`,
      );
    }
  }
  return [
    "# Rendered by lib/redis/conf.ts; do not edit by hand.",
    `bind ${o.bind.join(" ")}`,
    "protected-mode yes",
    `port ${o.port}`,
    "tcp-keepalive 300",
    "timeout 0",
    `dir ${o.dir}`,
    'logfile ""',
    "loglevel notice",
    "",
    "# Memory: a cache first, so evict any key by LRU rather than refuse writes.",
    `maxmemory ${o.maxmemoryMb}mb`,
    "maxmemory-policy allkeys-lru",
    "maxmemory-samples 5",
    "lazyfree-lazy-eviction yes",
    "",
    "# Persistence: RDB snapshots plus an append-only file fsynced every second.",
    "save 900 1",
    "save 300 10",
    "save 60 10000",
    "dbfilename dump.rdb",
    "appendonly yes",
    "appendfilename appendonly.aof",
    "appendfsync everysec",
    "aof-use-rdb-preamble yes",
    "auto-aof-rewrite-percentage 100",
    "auto-aof-rewrite-min-size 64mb",
    "",
    "# Compact encodings (the seed's limits, under their Redis 7 listpack names).",
    "hash-max-listpack-entries 512",
    "hash-max-listpack-value 64",
    "list-max-listpack-size -2",
    "set-max-intset-entries 512",
    "zset-max-listpack-entries 128",
    "zset-max-listpack-value 64",
    "",
    "# Scripts are the admin's alone (the app user may not script); one that runs past 1 s gets BUSY replies",
    "# for everyone else and accepts SCRIPT KILL / SHUTDOWN NOSAVE from the admin (Redis' default is 5 s).",
    "busy-reply-threshold 1000",
    "",
    "slowlog-log-slower-than 10000",
    "slowlog-max-len 128",
    "enable-debug-command no",
    "enable-module-command no",
    "",
    "# Access: nobody gets in without a password; the app user is confined to its key families.",
    // `off`: nobody can AUTH as default and new connections start unauthenticated (NOAUTH). Its permissions
    // matter only to the AOF-loading client, which runs as the default user and re-checks ACLs at each EXEC
    // (redis/redis#14541, fixed after 7.4.5): with -@all, every MULTI/EXEC in the AOF (the app's rate-limit
    // windows and set updates) was dropped on restart, silently.
    "user default off resetpass ~* &* +@all",
    `user ${o.adminUser} on #${o.adminPasswordHash} ~* &* +@all`,
    `user ${o.appUser} on #${o.appPasswordHash} resetchannels ${appPermissions(o.appAccess)}`,
    "",
  ].join("\n");
}
