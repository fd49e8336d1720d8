// A session-level advisory lock on a dedicated connection, polled with pg_try_advisory_lock up to a deadline.
// Never a blocking pg_advisory_lock: CREATE INDEX CONCURRENTLY in another session waits for every older
// transaction, the lock waiter included, while the lock holder may wait for the index (a deadlock Flyway and
// postgres-migrations both hit), and it hangs forever behind a stuck migrator.
import type { Client } from "pg";

/**
 * Fixed key: every migrator of this schema, whatever its version, contends for the same lock. Advisory locks
 * know no owner, so the bootstrap revokes the advisory-lock functions from PUBLIC and grants
 * pg_try_advisory_lock back to the schema owner only: the app and read-only roles cannot take this key and
 * stall deploys.
 */
export const MIGRATION_LOCK_KEY = "7341823113222001";

export class MigrationLockTimeout extends Error {
  override readonly name = "MigrationLockTimeout";
  constructor(
    readonly waitedMs: number,
    readonly holder:
      { pid: number; application: string; since: Date | null; role?: string | null } | undefined,
  ) {
    super(
      `Could not take the migration lock within ${Math.round(waitedMs / 1000)} s: ` +
        (holder
          ? `held by backend pid ${holder.pid} (${holder.role ? `role ${holder.role}, ` : ""}${holder.application || "no application_name"}` +
            `${holder.since ? `, connected ${holder.since.toISOString()}` : ""}). `
          : "held by another session. ") +
        "Another migration is running; wait for it, or if it is stuck end it with " +
        `SELECT pg_terminate_backend(${holder?.pid ?? "<pid>"}).`,
    );
  }
}

/** A wait for the lock, reported after `firstReportMs` and then every `everyMs`: who holds it, until when. */
export interface LockWait {
  readonly waitedMs: number;
  /** When the wait gives up (epoch ms). */
  readonly deadline: number;
  readonly holder?: MigrationLockTimeout["holder"];
}

export async function withMigrationLock<T>(
  lockClient: Client,
  options: {
    deadlineMs: number;
    pollMs?: number;
    onWait?: (wait: LockWait) => void;
    firstReportMs?: number;
    everyMs?: number;
  },
  work: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const poll = options.pollMs ?? 200;
  let nextReport = started + (options.firstReportMs ?? 1_500);
  for (;;) {
    const { rows } = await lockClient.query("SELECT pg_try_advisory_lock($1::bigint) AS locked", [
      MIGRATION_LOCK_KEY,
    ]);
    if (rows[0].locked) break;
    const now = Date.now();
    if (now - started >= options.deadlineMs) {
      throw new MigrationLockTimeout(now - started, await lockHolder(lockClient));
    }
    if (options.onWait && now >= nextReport) {
      options.onWait({
        waitedMs: now - started,
        deadline: started + options.deadlineMs,
        holder: await lockHolder(lockClient),
      });
      nextReport = now + (options.everyMs ?? 10_000);
    }
    await new Promise((resolve) => setTimeout(resolve, poll));
  }
  try {
    return await work();
  } finally {
    await lockClient
      .query("SELECT pg_advisory_unlock($1::bigint)", [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
  }
}

async function lockHolder(client: Client) {
  const key = BigInt(MIGRATION_LOCK_KEY);
  const { rows } = await client.query(
    `SELECT l.pid, a.application_name, a.backend_start, a.usename
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 1
      LIMIT 1`,
    [String(key >> 32n), String(key & 0xffffffffn)],
  );
  return rows[0]
    ? {
        pid: rows[0].pid,
        application: rows[0].application_name,
        since: rows[0].backend_start,
        role: rows[0].usename,
      }
    : undefined;
}
