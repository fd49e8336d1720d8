// `metrics`: the seed's list, read with the read-only role (pg_monitor) and the Redis app or admin user.
import type Redis from "ioredis";
import type { Client } from "pg";
import { DEFAULT_APP_KEY_PATTERNS } from "../../stack/redis/access";
import { parseInfo } from "./health";
import { extensionSchema } from "../../migrator/bootstrap";
import { ident } from "../../migrator/sql-text";

export async function postgresMetrics(client: Client) {
  const one = async (sql: string) => (await client.query(sql)).rows[0];
  const connections = await one(
    "SELECT count(*)::int AS used, current_setting('max_connections')::int AS max FROM pg_stat_activity WHERE backend_type = 'client backend'",
  );
  const cache = await one(
    `SELECT round(sum(blks_hit)::numeric / nullif(sum(blks_hit) + sum(blks_read), 0), 4)::float8 AS ratio
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  const size = await one("SELECT pg_database_size(current_database())::bigint AS bytes");
  const largest = (
    await client.query(
      `SELECT relname AS table, pg_total_relation_size(relid)::bigint AS bytes, n_live_tup::bigint AS live_rows,
              n_dead_tup::bigint AS dead_rows
         FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 5`,
    )
  ).rows;
  const dead = await one(
    "SELECT round(sum(n_dead_tup)::numeric / nullif(sum(n_live_tup) + sum(n_dead_tup), 0), 4)::float8 AS ratio FROM pg_stat_user_tables",
  );
  let slowest: { query: string; calls: number; mean_ms: number; total_ms: number }[] = [];
  let slowestError: string | undefined;
  try {
    // Qualified by the schema it lives in (monitoring since the bootstrap moved it; public before that).
    const schema = await extensionSchema(client);
    if (schema === undefined) throw new Error("the extension is not installed in this database");
    slowest = (
      await client.query(
        `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query, calls::bigint AS calls,
                round(mean_exec_time::numeric, 3)::float8 AS mean_ms, round(total_exec_time::numeric, 1)::float8 AS total_ms
           FROM ${ident(schema)}.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          ORDER BY mean_exec_time DESC LIMIT 5`,
      )
    ).rows.map((r) => ({ ...r, calls: Number(r.calls) }));
  } catch (err) {
    slowestError = `pg_stat_statements unavailable: ${(err as Error).message}`;
  }
  return {
    connections: { used: connections.used, max: connections.max, ratio: connections.used / connections.max },
    cacheHitRatio: cache.ratio as number | null,
    databaseBytes: Number(size.bytes),
    largestTables: largest.map((t) => ({
      ...t,
      bytes: Number(t.bytes),
      live_rows: Number(t.live_rows),
      dead_rows: Number(t.dead_rows),
    })),
    deadTupleRatio: dead.ratio as number | null,
    slowestStatements: slowest,
    ...(slowestError ? { slowestStatementsError: slowestError } : {}),
  };
}

/**
 * Counts keys matching a pattern with SCAN (never KEYS, which blocks the server and the app user may not
 * run).
 */
async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = "0";
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== "0");
  return count;
}

export async function redisMetrics(redis: Redis) {
  const info = parseInfo(await redis.info());
  const used = Number(info.used_memory);
  const max = Number(info.maxmemory);
  const hits = Number(info.keyspace_hits);
  const misses = Number(info.keyspace_misses);
  let keys: Record<string, number> | null = {};
  let keysError: string | undefined;
  try {
    for (const pattern of DEFAULT_APP_KEY_PATTERNS) keys[pattern] = await countKeys(redis, pattern);
  } catch (err) {
    // A stack with redisAppScan off denies the app user SCAN: counting then needs the admin user.
    if (!/NOPERM/.test((err as Error).message)) throw err;
    keys = null;
    keysError =
      "key counts need SCAN, which this app user may not run (redisAppScan off): set REDIS_ADMIN_URL";
  }
  return {
    usedMemoryBytes: used,
    maxmemoryBytes: max,
    memoryRatio: max > 0 ? used / max : null,
    evictedKeys: Number(info.evicted_keys),
    keyspaceHitRatio: hits + misses > 0 ? hits / (hits + misses) : null,
    connectedClients: Number(info.connected_clients),
    keysByPattern: keys,
    ...(keysError ? { keysByPatternError: keysError } : {}),
  };
}
