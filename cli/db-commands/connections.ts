// How the ops commands connect: flags (or their environment variables) name the URL of the least-privileged
// role that can do the job; clients fail fast instead of retrying forever.
import Redis from "ioredis";
import { Client, ClientConfig } from "pg";
import type { Flag } from "../shared/program";

export const FLAGS = {
  databaseUrl: { name: "--database-url", value: "URL", env: "DATABASE_URL", help: "PostgreSQL URL" },
  adminUrl: { name: "--admin-url", value: "URL", env: "ADMIN_DATABASE_URL", help: "PostgreSQL admin URL" },
  redisUrl: {
    name: "--redis-url",
    value: "URL",
    env: "REDIS_URL",
    help: "Redis URL of the app user (optional)",
  },
  redisAdminUrl: { name: "--redis-admin-url", value: "URL", env: "REDIS_ADMIN_URL", help: "Redis admin URL" },
} satisfies Record<string, Flag>;

export const pgConfig = (connectionString: string): ClientConfig => ({
  connectionString,
  application_name: "offthegrid-ops",
});

export const redisClient = (url: string) =>
  new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 5_000,
  });

export async function withPg<T>(config: ClientConfig, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client(config);
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function withRedis<T>(url: string, work: (r: Redis) => Promise<T>): Promise<T> {
  const client = redisClient(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    client.disconnect();
  }
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const pct = (ratio: number | null | undefined) =>
  ratio === null || ratio === undefined ? "n/a" : `${(ratio * 100).toFixed(1)} %`;
