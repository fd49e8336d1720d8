// Renders redis.conf for the dev container (and the integration tests, which substitute only paths and
// ports). Pure: passwords arrive as SHA-256 hashes so the file never holds a plaintext secret; with an
// aclfile, none at all.
import { createHash } from "node:crypto";
import { clientLimitLines } from "./client-limits";
import { REDIS_STORES, RedisStore } from "./stores";
import { RedisUsersOptions, redisUserRules, renderUserLines } from "./users-acl";

export interface RedisServerOptions {
  readonly bind: readonly string[];
  readonly port: number;
  readonly dir: string;
  readonly maxmemoryMb: number;
  /** Which store this server is (its eviction policy); default the state store. */
  readonly store?: RedisStore;
}

/**
 * Either the users inline (tests), or an aclfile that holds them: the dev container keeps it on its volume,
 * where the admin connection changes it live and ACL SAVE persists it, so a rotation never touches
 * redis.conf.
 */
export type RedisConfOptions = RedisServerOptions &
  ({ readonly aclfile: string } | (RedisUsersOptions & { readonly aclfile?: undefined }));

export function redisPasswordHash(password: string): string {
  return createHash("sha256").update(password, "utf8").digest("hex");
}

export function renderRedisConf(o: RedisConfOptions): string {
  const users = o.aclfile === undefined ? renderUserLines(redisUserRules(o)) : [`aclfile ${o.aclfile}`];
  return [
    // The file's path before the re-cut into stack/: the text is uploaded into the container, and any change
    // to it replaces every running dev Redis container.
    "# Rendered by lib/redis/conf.ts; do not edit by hand.",
    `bind ${o.bind.join(" ")}`,
    "protected-mode yes",
    `port ${o.port}`,
    "tcp-keepalive 300",
    `dir ${o.dir}`,
    'logfile ""',
    "loglevel notice",
    "",
    "# Memory: the policy is this store's (stack/redis/stores.ts): the state store refuses writes (OOM) when",
    "# full rather than evict revocations, rate limits or sessions; the cache store evicts its coldest keys.",
    `maxmemory ${o.maxmemoryMb}mb`,
    `maxmemory-policy ${REDIS_STORES[o.store ?? "state"].policy}`,
    "maxmemory-samples 5",
    "lazyfree-lazy-eviction yes",
    "",
    "# Clients: bounded buffers, all clients together within a share of maxmemory, idle ones closed.",
    ...clientLimitLines(),
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
    ...users,
    "",
  ].join("\n");
}
