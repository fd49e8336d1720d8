// `health` and `metrics`: read-only reports, as text or --json for scripts and dashboards.
import { readMigrationDirectory } from "../../migrator";
import { PostgresHealth, RedisHealth, postgresHealth, redisHealth } from "../ops/health";
import { postgresMetrics, redisMetrics } from "../ops/metrics";
import { Status, exitCodeOf, worst } from "../ops/status";
import { printResult } from "../shared/io";
import { sqlDir } from "../shared/root";
import { Command, EXIT } from "../shared/program";
import { connectRedis } from "../ops/redis-connect";
import {
  mb,
  optionalUrl,
  pct,
  pinnedPgConfig,
  redisClient,
  requiredUrl,
  urlFlags,
  withPg,
} from "./connections";

function postgresLine(h: PostgresHealth): string {
  if (h.error) return `postgres  ${h.status.padEnd(9)} ${h.error}`;
  const role =
    h.role === "primary"
      ? `primary, accepts writes: ${h.acceptsWrites}`
      : `replica, replay lag ${h.replayLagSeconds ?? "unknown"} s`;
  const pending = h.pendingMigrations?.length ? h.pendingMigrations.join(", ") : "none";
  return `postgres  ${h.status.padEnd(9)} ${role}, PostgreSQL ${h.serverVersion}, pending migrations: ${pending}`;
}

function redisLine(h: RedisHealth | undefined, label = "redis", env = "REDIS_URL"): string {
  const head = label.padEnd(9);
  if (!h) return `${head} skipped   (${env} not set)`;
  if (h.error) return `${head} ${h.status.padEnd(9)} ${h.error}`;
  const link = h.masterLinkStatus ? `, link ${h.masterLinkStatus}` : "";
  return `${head} ${h.status.padEnd(9)} ${h.role}, Redis ${h.version}, replicas ${h.connectedReplicas}${link}`;
}

export const health: Command = {
  name: "health",
  summary:
    "PostgreSQL reachable and writable (or replica + lag), schema up to date; each Redis store's AUTH + role",
  flags: [...urlFlags("database"), ...urlFlags("redis"), ...urlFlags("redisCache")],
  json: true,
  async run(args, io) {
    const databaseUrl = requiredUrl(args, "database", "the read-only role's URL");
    const pg = await postgresHealth(pinnedPgConfig(databaseUrl), readMigrationDirectory(sqlDir()));
    const redisUrl = optionalUrl(args, "redis");
    const redis = redisUrl ? await redisHealth(redisClient(redisUrl)) : undefined;
    // The cache store: its line only when its URL is given, so a one-store check reads as before.
    const cacheUrl = optionalUrl(args, "redisCache");
    const cache = cacheUrl ? await redisHealth(redisClient(cacheUrl)) : undefined;
    const status: Status = worst([pg.status, ...[redis, cache].flatMap((h) => (h ? [h.status] : []))]);
    const lines = [
      postgresLine(pg),
      redisLine(redis),
      ...(cache ? [redisLine(cache, "cache", "REDIS_CACHE_URL")] : []),
      `overall   ${status}`,
    ];
    printResult(io, args.has("--json"), lines, {
      status,
      postgres: pg,
      redis: redis ?? null,
      redisCache: cache ?? null,
    });
    return exitCodeOf(status);
  },
};

type PostgresMetrics = Awaited<ReturnType<typeof postgresMetrics>>;
type RedisMetrics = Awaited<ReturnType<typeof redisMetrics>>;

function postgresMetricLines(p: PostgresMetrics): string[] {
  return [
    `postgres connections      ${p.connections.used} / ${p.connections.max} (${pct(p.connections.ratio)})`,
    `postgres cache hit ratio  ${pct(p.cacheHitRatio)}`,
    `postgres database size    ${mb(p.databaseBytes)}`,
    `postgres dead tuples      ${pct(p.deadTupleRatio)}`,
    `largest tables:`,
    ...p.largestTables.map(
      (t) => `  ${t.table.padEnd(30)} ${mb(t.bytes).padStart(10)}  ${t.live_rows} live, ${t.dead_rows} dead`,
    ),
    `slowest statements (mean):`,
    ...(p.slowestStatements.length
      ? p.slowestStatements.map((s) => `  ${String(s.mean_ms).padStart(9)} ms × ${s.calls}  ${s.query}`)
      : [`  ${p.slowestStatementsError ?? "none recorded"}`]),
  ];
}

function redisMetricLines(r: RedisMetrics | undefined): string[] {
  if (!r) return ["redis                     skipped (REDIS_URL not set)"];
  return [
    `redis memory              ${mb(r.usedMemoryBytes)} / ${mb(r.maxmemoryBytes)} (${pct(r.memoryRatio)})`,
    `redis evicted keys        ${r.evictedKeys}`,
    `redis keyspace hit ratio  ${pct(r.keyspaceHitRatio)}`,
    `redis connected clients   ${r.connectedClients}`,
    `redis keys by pattern:`,
    ...(r.keysByPattern
      ? Object.entries(r.keysByPattern).map(([k, n]) => `  ${k.padEnd(20)} ${n}`)
      : [`  ${r.keysByPatternError}`]),
  ];
}

async function redisMetricsAt(url: string): Promise<RedisMetrics> {
  const client = await connectRedis(url, "the metrics connection");
  try {
    return await redisMetrics(client);
  } finally {
    client.disconnect();
  }
}

export const metrics: Command = {
  name: "metrics",
  summary: "connections, cache hit ratio, slowest statements, sizes, dead tuples; Redis memory, hits, keys",
  flags: [...urlFlags("database"), ...urlFlags("redis"), ...urlFlags("redisAdmin")],
  json: true,
  async run(args, io) {
    const databaseUrl = requiredUrl(args, "database", "the read-only role's URL (pg_monitor)");
    const p = await withPg(pinnedPgConfig(databaseUrl), postgresMetrics);
    // Key counts need SCAN: the app user holds it unless redisAppScan is off; the admin URL, when given,
    // always does.
    const redisUrl = optionalUrl(args, "redisAdmin") ?? optionalUrl(args, "redis");
    const r = redisUrl ? await redisMetricsAt(redisUrl) : undefined;
    printResult(io, args.has("--json"), [...postgresMetricLines(p), ...redisMetricLines(r)], {
      postgres: p,
      redis: r ?? null,
    });
    return EXIT.ok;
  },
};
