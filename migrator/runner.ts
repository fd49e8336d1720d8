// The migration runner, as named steps: parse the files → connect (waiting for the database) → answer a no-op
// from one read → take the advisory lock on a watched session → ensure the history table → read history →
// check integrity and plan → run the files (transactional ones batched, see batch.ts; no-transaction ones
// statement by statement, see apply-no-transaction.ts) → release the lock in finally. Up and down report a
// MigrationResultSet (run-types.ts) and never throw: the CLI and the provider decide at their edges what a
// failure becomes.
import type { Client } from "pg";
import { connectWithRetry } from "./connect";
import { assertNotAdmin, connectAdmin } from "./admin-session";
import { DEFAULT_HISTORY, ensureHistory, readHistory } from "./history";
import { readVerifiedHistory } from "./history-relation";
import { withMigrationLock } from "./lock";
import { Migration } from "./migration-file";
import { HistoryRow, planDown, planUp } from "./plan";
import { prefixChecksum, preflightUp } from "./preflight";
import { LockWatch, cancelSession, workSessionOptions } from "./session";
import { loadMigrations } from "./sources";
import { runFiles } from "./run-files";
import { MigrationResultSet, RUNNER_DEFAULTS, Run, RunnerOptions, Settings } from "./run-types";
import { withParserIfNeeded } from "./sql-parser";

export { MigrationRunError } from "./run-files";
export {
  MigrationEvent,
  MigrationResult,
  MigrationResultSet,
  RUNNER_DEFAULTS,
  RunnerOptions,
} from "./run-types";

function settingsOf(o: RunnerOptions): Settings {
  return {
    ...RUNNER_DEFAULTS,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    history: o.history ?? DEFAULT_HISTORY,
    onEvent: o.onEvent ?? (() => undefined),
  } as Settings;
}

/**
 * The files, parsed in this thread if the cached answers do not cover them (sources that are already parsed
 * Migrations are used as they are).
 */
function filesOf(o: RunnerOptions): Promise<Migration[]> {
  return withParserIfNeeded(
    o.migrations.map((m) => m.sql),
    () => loadMigrations(o.migrations),
  );
}

/** Anything thrown before a file ran is the run's refusal: nothing planned ran. */
async function reported(run: () => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  try {
    return await run();
  } catch (err) {
    return { error: err instanceof Error ? err : new Error(String(err)), results: [] };
  }
}

/**
 * Opens the work session, lets `upToDate` answer from a lock-free read first (a no-op run costs one
 * connection and one query), and otherwise takes the advisory lock on a second, dedicated and watched session
 * and runs `work`: if the lock session dies, the work session is cancelled at once.
 */
async function withClients(
  o: RunnerOptions,
  s: Settings,
  upToDate: (client: Client) => Promise<MigrationResultSet | undefined>,
  work: (run: Run) => Promise<MigrationResultSet>,
): Promise<MigrationResultSet> {
  const connect = (role: string, options?: string) =>
    connectWithRetry(
      { keepAlive: true, ...o.connection, application_name: `offthegrid-migrate${role}`, options },
      { deadlineMs: s.connectDeadlineMs, onRetry: (r) => s.onEvent({ type: "connect-retry", ...r }) },
    );
  const client = await connect("", workSessionOptions(o.connection.options));
  client.on("error", () => undefined); // a killed backend surfaces as the failing query's error
  let watch: LockWatch | undefined;
  try {
    if (o.refuseAdminLogin) await assertNotAdmin(client, "run migrations", o.refuseAdminLogin);
    const early = await upToDate(client);
    if (early !== undefined) return early;
    const lockClient = await connect("-lock", o.connection.options);
    watch = new LockWatch(lockClient, () => cancelSession(client));
    const reconnect = () =>
      connectWithRetry(
        { ...o.connection, application_name: "offthegrid-migrate-settle" },
        { deadlineMs: Math.min(s.connectDeadlineMs, SETTLE_DEADLINE_MS) },
      );
    const run: Run = { client, watch, settings: s, reconnect };
    return await withMigrationLock(
      lockClient,
      { deadlineMs: s.lockDeadlineMs, onWait: (w) => s.onEvent({ type: "lock-wait", ...w }) },
      async () => {
        await ensureHistory(client, s.history);
        return work(run);
      },
    );
  } catch (err) {
    throw watch?.lost ?? err;
  } finally {
    await watch?.close();
    await client.end().catch(() => undefined);
  }
}

/** How long a run that lost its session waits for the database to answer what committed (crash recovery). */
const SETTLE_DEADLINE_MS = 15_000;

export function migrateUp(o: RunnerOptions): Promise<MigrationResultSet> {
  const s = settingsOf(o);
  return reported(async () => {
    const files = await filesOf(o);
    const nothingPending = async (client: Client) => {
      // Refused before the lock is taken and before anything runs (what `pulumi preview` checks too).
      const plan = await preflightUp(files, await readHistory(client, s.history), {
        baseline: s.lintBaseline,
      });
      return plan.pending.length === 0 ? { results: [] } : undefined;
    };
    return withClients(o, s, nothingPending, async (run) => {
      // Read again under the lock: another migrator may have applied files meanwhile.
      const plan = planUp(files, await readHistory(run.client, s.history), prefixChecksum);
      return runFiles(run, plan.pending, "up", plan.resume);
    });
  });
}

export function migrateDown(o: RunnerOptions, count = 1): Promise<MigrationResultSet> {
  const s = settingsOf(o);
  return reported(async () => {
    const files = await filesOf(o);
    return withClients(
      o,
      s,
      async () => undefined,
      async (run) => runFiles(run, planDown(files, await readHistory(run.client, s.history), count), "down"),
    );
  });
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
  const files = await filesOf(o);
  // Read-only and catalog-only (the history table is schema-qualified): safe for any login, the admin's
  // included.
  const client = await connectAdmin(
    { ...o.connection, application_name: "offthegrid-migrate-status" },
    { deadlineMs: s.connectDeadlineMs, onRetry: (r) => s.onEvent({ type: "connect-retry", ...r }) },
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

export { prefixChecksum } from "./preflight";
