// The lifecycle events a running app lives through, typed into the real CLI as an operator would: rotations,
// a migration, a Redis replacement or crash, destroy + up. Shared by test/e2e/traffic.test.ts and
// testbed/bench/traffic.ts, which run the traffic harness around each.
import * as fs from "node:fs";
import * as path from "node:path";
import { loadMigrations, readMigrationDirectory, renderSumFile } from "../../migrator";
import { alive, containerState, startStopped, stopProcess } from "../standins/docker-container";
import type { EngineSession } from "./session";

/**
 * The credentials whose rotation must not disturb a running app. The superuser
 * (postgresAdminPasswordEpoch) is a single role: in dev its rotation replaces the PostgreSQL container, a
 * restart every client sees (docs/runbooks.md); rotateSuperuser() is that event.
 */
export const POSTGRES_EPOCH_KEYS = [
  "postgresOwnerPasswordEpoch",
  "postgresAppPasswordEpoch",
  "postgresReadonlyPasswordEpoch",
] as const;
export const REDIS_EPOCH_KEYS = ["redisAdminPasswordEpoch", "redisAppPasswordEpoch"] as const;
export const EPOCH_KEYS = [...POSTGRES_EPOCH_KEYS, ...REDIS_EPOCH_KEYS] as const;

export const REDIS_CONTAINER = "offthegrid-dev-redis";

/** Bumps the epochs of `keys` (default every credential but the superuser) to `epoch` and runs `up`. */
export async function rotateAll(
  s: EngineSession,
  epoch: number,
  keys: readonly string[] = EPOCH_KEYS,
): Promise<void> {
  for (const key of keys) await s.pulumi(["config", "set", key, String(epoch)]);
  await s.pulumi(["up", "--yes", "--skip-preview"]);
}

/** The superuser's rotation (dev: PostgreSQL restarts with the new password file). */
export async function rotateSuperuser(s: EngineSession, epoch: number): Promise<void> {
  await s.pulumi(["config", "set", "postgresAdminPasswordEpoch", String(epoch)]);
  await s.pulumi(["up", "--yes", "--skip-preview"]);
}

/** Adds `sql/<name>.sql` (and the sum file) to the project copy and runs `up`. */
export async function migrate(s: EngineSession, name: string, up: string): Promise<void> {
  const sql = path.join(s.project, "sql");
  fs.writeFileSync(path.join(sql, `${name}.sql`), `-- migrate:up\n${up}\n`);
  fs.writeFileSync(
    path.join(sql, "migrations.sum"),
    renderSumFile(loadMigrations(readMigrationDirectory(sql))),
  );
  await s.pulumi(["up", "--yes", "--skip-preview"]);
}

/** A redis.conf change (maxmemory): `up` replaces the Redis container, data kept in its volume. */
export async function replaceRedis(s: EngineSession, maxmemoryMb: number): Promise<void> {
  await s.pulumi(["config", "set", "redisMaxmemoryMb", String(maxmemoryMb)]);
  await s.pulumi(["up", "--yes", "--skip-preview"]);
}

/** `docker restart`: SIGTERM (redis-server fsyncs the AOF and saves an RDB, then exits), then a start. */
export async function restartRedis(s: EngineSession): Promise<void> {
  await s.docker(async () => {
    await stopProcess(REDIS_CONTAINER);
    await startStopped(REDIS_CONTAINER);
  });
}

/**
 * kill -9 of redis-server, then a start of the same container (as a restart policy would). Returns when
 * killed.
 */
export async function crashRedis(s: EngineSession): Promise<number> {
  return s.docker(async () => {
    const pid = containerState(REDIS_CONTAINER)?.pid;
    if (!pid || !alive(pid)) throw new Error(`${REDIS_CONTAINER} is not running`);
    process.kill(pid, "SIGKILL");
    const killedAt = Date.now();
    while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
    await startStopped(REDIS_CONTAINER);
    return killedAt;
  });
}

export async function destroyAndUp(s: EngineSession): Promise<void> {
  await s.pulumi(["destroy", "--yes", "--skip-preview"]);
  await s.pulumi(["up", "--yes", "--skip-preview"]);
}
