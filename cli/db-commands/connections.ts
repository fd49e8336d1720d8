// How the ops commands connect: flags (or their environment variables) name the URL of the least-privileged
// role that can do the job; clients fail fast instead of retrying forever.
import Redis from "ioredis";
import { type Client, ClientConfig } from "pg";
import { pgClient } from "../shared/pg-client";
import { adminConnection, ensurePinned, isPinned } from "../../migrator/admin-session";
import { RedisTarget, connectForData } from "../ops/redis-connect";
import { UrlSource, connectionUrl, optionalConnectionUrl, urlOnCommandLine } from "../ops/urls";
import type { Args, Flag } from "../shared/program";

/**
 * A connection URL comes from its environment variable or from a file, never from argv (ps, shell history).
 */
const SOURCES = {
  database: { flag: "--database-url", env: "DATABASE_URL", what: "PostgreSQL URL" },
  admin: { flag: "--admin-url", env: "ADMIN_DATABASE_URL", what: "PostgreSQL admin URL" },
  redis: { flag: "--redis-url", env: "REDIS_URL", what: "Redis app user's URL" },
  redisCache: { flag: "--redis-cache-url", env: "REDIS_CACHE_URL", what: "Redis cache store's app user URL" },
  redisAdmin: { flag: "--redis-admin-url", env: "REDIS_ADMIN_URL", what: "Redis admin user's URL" },
} as const;

type Source = keyof typeof SOURCES;

/**
 * The flags for one URL: `--x-url-file FILE`, and `--x-url` itself, declared only so that it is refused with
 * the reason (and the alternative) rather than as an unknown option, by every command that declares it,
 * whether or not this run would have read it (`backup --redis-only --database-url …`).
 */
export function urlFlags(source: Source): Flag[] {
  const s = SOURCES[source];
  return [
    { name: `${s.flag}-file`, value: "FILE", help: `file holding the ${s.what} (default: $${s.env})` },
    {
      name: s.flag,
      value: "URL",
      help: `refused: a URL on the command line shows its password (use $${s.env})`,
      refused: urlOnCommandLine(s),
    },
  ];
}

const sourceOf = (source: Source, purpose: string): UrlSource => ({
  flag: SOURCES[source].flag,
  env: SOURCES[source].env,
  purpose,
});

export const requiredUrl = (args: Args, source: Source, purpose: string) =>
  connectionUrl(args.flags, sourceOf(source, purpose), args.env);

export const optionalUrl = (args: Args, source: Source) =>
  optionalConnectionUrl(args.flags, sourceOf(source, ""), args.env);

/** For the commands that run the schema's own code as the app or the owner (maintenance, reset). */
export const pgConfig = (connectionString: string): ClientConfig => ({
  connectionString,
  application_name: "offthegrid-ops",
});

/**
 * For every command that reads the catalog or works as the admin (health, metrics, backup, restore,
 * watchdog): the search_path pinned to pg_catalog (migrator/admin-session.ts), so it is safe whichever role
 * the URL names.
 */
export const pinnedPgConfig = (connectionString: string): ClientConfig =>
  adminConnection(pgConfig(connectionString));

export const redisClient = (url: string) =>
  new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 5_000,
  });

export async function withPg<T>(config: ClientConfig, work: (c: Client) => Promise<T>): Promise<T> {
  const c = pgClient(config);
  await c.connect();
  try {
    if (isPinned(config)) await ensurePinned(c);
    return await work(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * A connection for DUMP/RESTORE (a cluster client when the server runs in cluster mode), closed afterwards.
 */
export async function withRedisData<T>(
  url: string,
  purpose: string,
  work: (r: RedisTarget) => Promise<T>,
): Promise<T> {
  const client = await connectForData(url, purpose);
  try {
    return await work(client);
  } finally {
    client.disconnect();
  }
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const pct = (ratio: number | null | undefined) =>
  ratio === null || ratio === undefined ? "n/a" : `${(ratio * 100).toFixed(1)} %`;
