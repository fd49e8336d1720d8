// Connecting the ops CLI to Redis: one clean error instead of ioredis's "Unhandled error event" stack, naming
// the server and user (never the password); and a cluster client when the server runs in cluster mode, so
// backups and restores cover every primary instead of the one node the URL names.
import Redis, { Cluster, RedisOptions } from "ioredis";
import { parseInfo } from "./health";

export type RedisTarget = Redis | Cluster;

const OPTIONS: RedisOptions = {
  lazyConnect: true,
  maxRetriesPerRequest: 1,
  retryStrategy: () => null,
  connectTimeout: 5_000,
};

export function describeRedisUrl(url: string): string {
  const u = new URL(url);
  return `Redis at ${u.hostname}:${u.port || 6379}${u.username ? ` (user ${decodeURIComponent(u.username)})` : ""}`;
}

/**
 * Connects and runs PING; any failure (WRONGPASS, NOAUTH, ECONNREFUSED, ENOTFOUND) becomes one clear Error.
 */
export async function connectRedis(url: string, purpose: string): Promise<Redis> {
  const client = new Redis(url, OPTIONS);
  let reason: Error | undefined;
  // ioredis reports the real cause as an error event and rejects connect() with "Connection is closed".
  client.on("error", (err: Error) => (reason ??= err));
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (err) {
    client.disconnect();
    throw new Error(`${describeRedisUrl(url)} refused ${purpose}: ${(reason ?? (err as Error)).message}`, {
      cause: reason ?? err,
    });
  }
}

export async function isClusterNode(client: Redis): Promise<boolean> {
  return parseInfo(await client.info("cluster")).cluster_enabled === "1";
}

/**
 * The client a backup or restore needs: the same connection for a standalone server, a cluster client (every
 * primary, keys routed by slot) when the server runs in cluster mode.
 */
export async function connectForData(url: string, purpose: string): Promise<RedisTarget> {
  const single = await connectRedis(url, purpose);
  if (!(await isClusterNode(single))) return single;
  single.disconnect();
  const u = new URL(url);
  const cluster = new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    redisOptions: {
      username: decodeURIComponent(u.username) || undefined,
      password: decodeURIComponent(u.password) || undefined,
      connectTimeout: 5_000,
      ...(u.protocol === "rediss:" ? { tls: { servername: u.hostname } } : {}),
    },
    // ElastiCache's TLS certificates name the configuration endpoint, not node IPs.
    ...(u.protocol === "rediss:" ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    clusterRetryStrategy: () => null,
    lazyConnect: true,
  });
  let reason: Error | undefined;
  cluster.on("error", (err: Error) => (reason ??= err));
  try {
    await cluster.connect();
    return cluster;
  } catch (err) {
    cluster.disconnect();
    throw new Error(
      `${describeRedisUrl(url)} (cluster mode) refused ${purpose}: ${(reason ?? (err as Error)).message}`,
      {
        cause: reason ?? err,
      },
    );
  }
}

/** Keys on the server, or on every primary of a cluster. */
export async function dbsize(target: RedisTarget): Promise<number> {
  if (!(target instanceof Cluster)) return target.dbsize();
  const sizes = await Promise.all(target.nodes("master").map((node) => node.dbsize()));
  return sizes.reduce((a, b) => a + b, 0);
}
