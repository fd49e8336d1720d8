// `health`: is PostgreSQL reachable and writable (or a replica, and how far behind), is the schema up to
// date, is Redis reachable with AUTH and what is its replication state.
import type Redis from "ioredis";
import { ClientConfig } from "pg";
import { pgClient } from "../shared/pg-client";
import { MigrationSource, ensurePinned, migrationStatus } from "../../migrator";
import { isPinned } from "../../migrator/admin-session";
import { Status } from "./status";

export interface PostgresHealth {
  readonly status: Status;
  readonly error?: string;
  readonly role?: "primary" | "replica";
  readonly acceptsWrites?: boolean;
  readonly replayLagSeconds?: number | null;
  readonly serverVersion?: string;
  readonly pendingMigrations?: string[];
}

export async function postgresHealth(
  config: ClientConfig,
  migrations: readonly MigrationSource[],
  options: { maxReplicaLagSeconds?: number } = {},
): Promise<PostgresHealth> {
  const client = pgClient({
    connectionTimeoutMillis: 5_000,
    application_name: "offthegrid-ops",
    ...config,
  });
  try {
    await client.connect();
  } catch (err) {
    return { status: "down", error: (err as Error).message };
  }
  try {
    if (isPinned(config)) await ensurePinned(client);
    const { rows } = await client.query(
      `SELECT pg_is_in_recovery() AS replica, current_setting('server_version') AS version,
              CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                   ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END::float8 AS lag`,
    );
    const replica: boolean = rows[0].replica;
    let acceptsWrites = false;
    if (!replica) {
      // Assigning a transaction id proves the server takes writes (a standby or a read-only default refuses
      // it) without touching application data, and without TEMPORARY, which only the schema owner holds.
      await client.query("BEGIN; SELECT pg_current_xact_id(); ROLLBACK");
      acceptsWrites = true;
    }
    const status = await migrationStatus({ connection: config, migrations, connectDeadlineMs: 5_000 });
    const pending = status.filter((s) => s.state !== "applied").map((s) => s.name);
    const lag = replica ? (rows[0].lag as number | null) : undefined;
    const lagging =
      replica && (lag === null || lag === undefined || lag > (options.maxReplicaLagSeconds ?? 60));
    return {
      status: pending.length > 0 || lagging ? "degraded" : "healthy",
      role: replica ? "replica" : "primary",
      acceptsWrites,
      replayLagSeconds: lag,
      serverVersion: rows[0].version,
      pendingMigrations: pending,
    };
  } catch (err) {
    return { status: "degraded", error: (err as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface RedisHealth {
  readonly status: Status;
  readonly error?: string;
  readonly role?: string;
  readonly connectedReplicas?: number;
  readonly masterLinkStatus?: string;
  readonly version?: string;
}

export function parseInfo(info: string): Record<string, string> {
  return Object.fromEntries(
    info
      .split(/\r?\n/)
      .filter((line) => line && !line.startsWith("#") && line.includes(":"))
      .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)]),
  );
}

export async function redisHealth(redis: Redis): Promise<RedisHealth> {
  // ioredis closes the connection on a failed AUTH/HELLO and rejects with "Connection is closed"; the reason
  // (WRONGPASS, NOAUTH, ECONNREFUSED) arrives as an error event.
  let reason: Error | undefined;
  redis.on("error", (err: Error) => (reason ??= err));
  try {
    await redis.connect();
    if ((await redis.ping()) !== "PONG") return { status: "down", error: "PING did not answer PONG" };
    const info = parseInfo(await redis.info());
    const replica = info.role === "slave";
    const linkDown = replica && info.master_link_status !== "up";
    return {
      status: linkDown ? "degraded" : "healthy",
      role: replica ? "replica" : "primary",
      connectedReplicas: Number(info.connected_slaves ?? 0),
      masterLinkStatus: info.master_link_status,
      version: info.redis_version,
    };
  } catch (err) {
    return { status: "down", error: (reason ?? (err as Error)).message };
  } finally {
    redis.disconnect();
  }
}
