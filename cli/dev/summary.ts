// The table `npm run dev` ends with: each service, where it listens, which role the app's URL logs in as, and
// whether that login works right now (a real query / PING with the .env URL, not a port probe).
import Redis from "ioredis";
import { pgClient } from "../shared/pg-client";
import type { AppUrls } from "./env-file";

export interface ServiceRow {
  readonly service: string;
  readonly address: string;
  readonly role: string;
  readonly healthy: string;
}

export function renderTable(rows: readonly ServiceRow[]): string[] {
  const head: ServiceRow = { service: "service", address: "host:port", role: "role", healthy: "healthy" };
  const all = [head, ...rows];
  const width = (k: keyof ServiceRow) => Math.max(...all.map((r) => r[k].length));
  const line = (r: ServiceRow) =>
    (["service", "address", "role", "healthy"] as const)
      .map((k) => r[k].padEnd(width(k)))
      .join("  ")
      .trimEnd();
  return all.map(line);
}

const address = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port}`;
};

async function postgresCheck(url: string): Promise<string> {
  const client = pgClient({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ who: string }>("SELECT session_user AS who");
    return rows[0].who ? "yes" : "no";
  } catch (err) {
    return `no (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisCheck(url: string): Promise<string> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 3_000,
  });
  try {
    await client.connect();
    return (await client.ping()) === "PONG" ? "yes" : "no";
  } catch (err) {
    return `no (${(err as Error).message})`;
  } finally {
    client.disconnect();
  }
}

export async function serviceRows(urls: AppUrls): Promise<ServiceRow[]> {
  const pgUser = (u: string) => decodeURIComponent(new URL(u).username);
  const [app, readonly, redis, redisCache] = await Promise.all([
    postgresCheck(urls.DATABASE_URL),
    postgresCheck(urls.READONLY_DATABASE_URL),
    redisCheck(urls.REDIS_URL),
    redisCheck(urls.REDIS_CACHE_URL),
  ]);
  return [
    {
      service: "PostgreSQL",
      address: address(urls.DATABASE_URL),
      role: `${pgUser(urls.DATABASE_URL)} (DATABASE_URL)`,
      healthy: app,
    },
    {
      service: "PostgreSQL",
      address: address(urls.READONLY_DATABASE_URL),
      role: `${pgUser(urls.READONLY_DATABASE_URL)} (READONLY_DATABASE_URL)`,
      healthy: readonly,
    },
    {
      service: "Redis",
      address: address(urls.REDIS_URL),
      role: `${pgUser(urls.REDIS_URL)} (REDIS_URL)`,
      healthy: redis,
    },
    {
      service: "Redis cache",
      address: address(urls.REDIS_CACHE_URL),
      role: `${pgUser(urls.REDIS_CACHE_URL)} (REDIS_CACHE_URL)`,
      healthy: redisCache,
    },
  ];
}
