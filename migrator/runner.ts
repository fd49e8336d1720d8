// The migration runner, as named steps: connect (waiting for the database) → answer a no-op from one read →
// take the advisory lock on a watched session → ensure the history table → read history → check integrity and
// plan → run the files (transactional ones batched, see batch.ts; no-transaction ones statement by statement, see
// apply-no-transaction.ts) → release the lock in finally.
import type { Client } from "pg";
import { connectWithRetry } from "./connect";
import { DEFAULT_HISTORY, ensureHistory, readHistory } from "./history";
import { readVerifiedHistory } from "./history-relation";
import { withMigrationLock } from "./lock";
import { Migration } from "./migration-file";
import { PrefixHasher } from "./no-transaction";
import { HistoryRow, planDown, planUp } from "./plan";
import { LockWatch, cancelSession, workSessionOptions } from "./session";
import { MigrationSource, loadMigrations } from "./sources";
import { TableName } from "./sql-text";
import { Run, Settings, runFiles } from "./run-files";

export { MigrationRunError } from "./run-files";

export interface RunnerOptions {
  /** Connection as the schema owner. */
  readonly connection: import("pg").ClientConfig;
  readonly migrations: readonly MigrationSource[];
  readonly history?: TableName;
  /** Per-migration defaults; a file can override them with -- migrate:lock-timeout / statement-timeout. */
  readonly lockTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  /** Retries of a file (or statement) that hit lock_timeout, with doubling backoff. */
  readonly lockRetries?: number;
  readonly lockRetryDelayMs?: number;
  /** How long to poll for the advisory lock held by another migrator. */
  readonly lockDeadlineMs?: number;
  /** How long to wait for the database to accept connections. */
  readonly connectDeadlineMs?: number;
  readonly onEvent?: (event: MigrationEvent) => void;
  /**
   * For a connection that is not the owner's (the ops CLI's admin): the role the history table must belong to.
   * Status then reads it only after checking it is that role's plain table (history-relation.ts).
   */
  readonly historyOwner?: string;
}

export const RUNNER_DEFAULTS = {
  lockTimeoutMs: 3_000,
  statementTimeoutMs: 10 * 60_000,
  lockRetries: 4,
  lockRetryDelayMs: 500,
  lockDeadlineMs: 60_000,
  connectDeadlineMs: 60_000,
} as const;

export type MigrationEvent =
  | { type: "start"; name: string; direction: "up" | "down" }
  | { type: "done"; name: string; direction: "up" | "down"; durationMs: number }
  | { type: "retry"; name: string; attempt: number; delayMs: number; reason: string }
  | { type: "notice"; name: string; message: string }
  | { type: "failed"; name: string; direction: "up" | "down"; error: Error };

export interface MigrationResult {
  readonly name: string;
  readonly direction: "up" | "down";
  readonly status: "success" | "error" | "not-executed";
  readonly durationMs?: number;
}

function settingsOf(o: RunnerOptions): Settings {
  return {
    ...RUNNER_DEFAULTS,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    history: o.history ?? DEFAULT_HISTORY,
    onEvent: o.onEvent ?? (() => undefined),
  } as Settings;
}

/**
 * Opens the work session, lets `upToDate` answer from a lock-free read first (a no-op run costs one connection
 * and one query), and otherwise takes the advisory lock on a second, dedicated and watched session and runs
 * `work`: if the lock session dies, the work session is cancelled at once.
 */
async function withClients<T>(
  o: RunnerOptions,
  s: Settings,
  upToDate: (client: Client) => Promise<T | undefined>,
  work: (run: Run) => Promise<T>,
): Promise<T> {
  const connect = (role: string, options?: string) =>
    connectWithRetry(
      { keepAlive: true, ...o.connection, application_name: `offthegrid-migrate${role}`, options },
      { deadlineMs: s.connectDeadlineMs },
    );
  const client = await connect("", workSessionOptions(o.connection.options));
  client.on("error", () => undefined); // a killed backend surfaces as the failing query's error
  let watch: LockWatch | undefined;
  try {
    const early = await upToDate(client);
    if (early !== undefined) return early;
    const lockClient = await connect("-lock", o.connection.options);
    watch = new LockWatch(lockClient, () => cancelSession(client));
    const run: Run = { client, watch, settings: s };
    return await withMigrationLock(lockClient, { deadlineMs: s.lockDeadlineMs }, async () => {
      await ensureHistory(client, s.history);
      return work(run);
    });
  } catch (err) {
    throw watch?.lost ?? err;
  } finally {
    await watch?.close();
    await client.end().catch(() => undefined);
  }
}

export async function migrateUp(o: RunnerOptions): Promise<MigrationResult[]> {
  const s = settingsOf(o);
  const files = loadMigrations(o.migrations);
  const nothingPending = async (client: Client) => {
    const plan = planUp(files, await readHistory(client, s.history), prefixChecksum);
    return plan.pending.length === 0 ? [] : undefined;
  };
  return withClients(o, s, nothingPending, async (run) => {
    // Read again under the lock: another migrator may have applied files meanwhile.
    const plan = planUp(files, await readHistory(run.client, s.history), prefixChecksum);
    return runFiles(run, plan.pending, "up", plan.resume);
  });
}

export async function migrateDown(o: RunnerOptions, count = 1): Promise<MigrationResult[]> {
  const s = settingsOf(o);
  const files = loadMigrations(o.migrations);
  return withClients(
    o,
    s,
    async () => undefined,
    async (run) => runFiles(run, planDown(files, await readHistory(run.client, s.history), count), "down"),
  );
}

export interface MigrationStatus {
  readonly name: string;
  readonly state: "applied" | "pending" | "partial";
  readonly appliedAt?: Date;
  readonly durationMs?: number | null;
  readonly appliedBy?: string | null;
}

/** Read-only: no lock, no history table created. Integrity problems throw as they would for `up`. */
export async function migrationStatus(o: RunnerOptions): Promise<MigrationStatus[]> {
  const s = settingsOf(o);
  const files = loadMigrations(o.migrations);
  const client = await connectWithRetry(
    { ...o.connection, application_name: "offthegrid-migrate-status" },
    { deadlineMs: s.connectDeadlineMs },
  );
  try {
    const history = o.historyOwner
      ? await readVerifiedHistory(client, s.history, o.historyOwner)
      : await readHistory(client, s.history);
    planUp(files, history, prefixChecksum);
    const rows = new Map<string, HistoryRow>(history.map((r) => [r.name, r]));
    return files.map((m) => {
      const row = rows.get(m.name);
      if (!row) return { name: m.name, state: "pending" };
      return {
        name: m.name,
        state: row.status,
        appliedAt: row.appliedAt,
        durationMs: row.durationMs,
        appliedBy: row.appliedBy,
      };
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Checksum of the first `statementsDone` statements of the up section, as recorded for a partial file. */
export function prefixChecksum(m: Migration, statementsDone: number): string {
  return new PrefixHasher(m.upStatements).at(statementsDone);
}
