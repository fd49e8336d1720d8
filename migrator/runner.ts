// The migration runner, as named steps: connect (waiting for the database) → take the advisory lock → ensure
// the history table → read history → check integrity and plan → run each file → release the lock in finally.
import { EngineError } from "./errors";
import type { Client, ClientConfig } from "pg";
import { connectWithRetry } from "./connect";
import { DEFAULT_HISTORY, ensureHistory, readHistory } from "./history";
import { withMigrationLock } from "./lock";
import { Migration, sha256, statementsOf } from "./migration-file";
import { HistoryRow, planDown, planUp } from "./plan";
import { MigrationSource, loadMigrations } from "./sources";
import { TableName, literal, qualified } from "./sql-text";

export interface RunnerOptions {
  /** Connection as the schema owner. */
  readonly connection: ClientConfig;
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
  | { type: "failed"; name: string; direction: "up" | "down"; error: Error };

export interface MigrationResult {
  readonly name: string;
  readonly direction: "up" | "down";
  readonly status: "success" | "error" | "not-executed";
  readonly durationMs?: number;
}

/** Thrown when a file fails; `results` says exactly which files ran before it and which did not. */
export class MigrationRunError extends EngineError {
  constructor(
    message: string,
    readonly results: readonly MigrationResult[],
    readonly failure: { name: string; line?: number; statement?: string; sqlstate?: string },
    cause: unknown,
  ) {
    super("MigrationRunError", message, cause);
  }
}

interface Settings extends Required<
  Omit<RunnerOptions, "onEvent" | "history" | "migrations" | "connection">
> {
  readonly history: TableName;
  readonly onEvent: (event: MigrationEvent) => void;
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
 * and one query), and otherwise takes the advisory lock on a second, dedicated session and runs `work`.
 */
async function withClients<T>(
  o: RunnerOptions,
  s: Settings,
  upToDate: (client: Client) => Promise<T | undefined>,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const connect = (role: string) =>
    connectWithRetry(
      { ...o.connection, application_name: `offthegrid-migrate${role}` },
      { deadlineMs: s.connectDeadlineMs },
    );
  const client = await connect("");
  client.on("error", () => undefined); // a killed backend surfaces as the failing query's error
  let lockClient: Client | undefined;
  try {
    const early = await upToDate(client);
    if (early !== undefined) return early;
    lockClient = await connect("-lock");
    return await withMigrationLock(lockClient, { deadlineMs: s.lockDeadlineMs }, async () => {
      await ensureHistory(client, s.history);
      // Read again under the lock: another migrator may have applied files meanwhile.
      return work(client);
    });
  } finally {
    await client.end().catch(() => undefined);
    await lockClient?.end().catch(() => undefined);
  }
}

export async function migrateUp(o: RunnerOptions): Promise<MigrationResult[]> {
  const s = settingsOf(o);
  const files = loadMigrations(o.migrations);
  const nothingPending = async (client: Client) => {
    const plan = planUp(files, await readHistory(client, s.history), prefixChecksum);
    return plan.pending.length === 0 ? [] : undefined;
  };
  return withClients(o, s, nothingPending, async (client) => {
    const plan = planUp(files, await readHistory(client, s.history), prefixChecksum);
    const results: MigrationResult[] = plan.pending.map((m) => ({
      name: m.name,
      direction: "up",
      status: "not-executed",
    }));
    for (const [index, m] of plan.pending.entries()) {
      s.onEvent({ type: "start", name: m.name, direction: "up" });
      const started = Date.now();
      try {
        if (m.transaction) await applyInTransaction(client, s, m);
        else
          await applyStatementByStatement(
            client,
            s,
            m,
            plan.resume?.migration.name === m.name ? plan.resume.statementsDone : 0,
          );
      } catch (err) {
        results[index] = { name: m.name, direction: "up", status: "error", durationMs: Date.now() - started };
        const error = await explainFailure(client, s, m, "up", err);
        s.onEvent({ type: "failed", name: m.name, direction: "up", error });
        throw new MigrationRunError(error.message, results, (error as ExplainedError).failure, err);
      }
      results[index] = { name: m.name, direction: "up", status: "success", durationMs: Date.now() - started };
      s.onEvent({ type: "done", name: m.name, direction: "up", durationMs: Date.now() - started });
    }
    return results;
  });
}

export async function migrateDown(o: RunnerOptions, count = 1): Promise<MigrationResult[]> {
  const s = settingsOf(o);
  const files = loadMigrations(o.migrations);
  return withClients(
    o,
    s,
    async () => undefined,
    async (client) => {
      const targets = planDown(files, await readHistory(client, s.history), count);
      const results: MigrationResult[] = targets.map((m) => ({
        name: m.name,
        direction: "down",
        status: "not-executed",
      }));
      for (const [index, m] of targets.entries()) {
        s.onEvent({ type: "start", name: m.name, direction: "down" });
        const started = Date.now();
        try {
          await withLockRetry(s, m.name, () =>
            client.query(
              batch(s, m, m.down!, `DELETE FROM ${qualified(s.history)} WHERE version = ${m.version};`),
            ),
          );
        } catch (err) {
          await client.query("ROLLBACK").catch(() => undefined);
          results[index] = {
            name: m.name,
            direction: "down",
            status: "error",
            durationMs: Date.now() - started,
          };
          const error = await explainFailure(client, s, m, "down", err);
          throw new MigrationRunError(error.message, results, (error as ExplainedError).failure, err);
        }
        results[index] = {
          name: m.name,
          direction: "down",
          status: "success",
          durationMs: Date.now() - started,
        };
        s.onEvent({ type: "done", name: m.name, direction: "down", durationMs: Date.now() - started });
      }
      return results;
    },
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
    const history = await readHistory(client, s.history);
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

export function prefixChecksum(m: Migration, statementsDone: number): string {
  const statements = statementsOf({ name: m.name, sql: m.up, firstLine: m.upLine });
  return sha256(
    statements
      .slice(0, statementsDone)
      .map((st) => st.text)
      .join("\n;\n"),
  );
}

/** BEGIN, per-migration timeouts, the section, the history change, COMMIT: one round trip per file. */
function batch(s: Settings, m: Migration, sql: string, historyChange: string): string {
  return [
    "BEGIN;",
    `SET LOCAL lock_timeout = ${m.lockTimeoutMs ?? s.lockTimeoutMs};`,
    `SET LOCAL statement_timeout = ${m.statementTimeoutMs ?? s.statementTimeoutMs};`,
    sql,
    // A trailing "-- comment" without a newline must not swallow what follows.
    "\n;",
    historyChange,
    "COMMIT;",
  ].join("\n");
}

async function applyInTransaction(client: Client, s: Settings, m: Migration): Promise<void> {
  const record =
    `INSERT INTO ${qualified(s.history)} (version, name, checksum, status, execution_mode, applied_at, duration_ms) ` +
    `VALUES (${m.version}, ${literal(m.name)}, ${literal(m.checksum)}, 'applied', 'transaction', now(), ` +
    "(extract(epoch FROM clock_timestamp() - now()) * 1000)::integer);";
  await withLockRetry(s, m.name, async () => {
    try {
      await client.query(batch(s, m, m.up, record));
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  });
}

/** no-transaction files: one statement per query, progress recorded after each so a rerun resumes. */
async function applyStatementByStatement(
  client: Client,
  s: Settings,
  m: Migration,
  from: number,
): Promise<void> {
  const statements = statementsOf({ name: m.name, sql: m.up, firstLine: m.upLine });
  const started = Date.now();
  await client.query(
    `SET lock_timeout = ${m.lockTimeoutMs ?? s.lockTimeoutMs}; SET statement_timeout = ${m.statementTimeoutMs ?? s.statementTimeoutMs}`,
  );
  try {
    await client.query(
      `INSERT INTO ${qualified(s.history)} (version, name, checksum, status, execution_mode, statements_done, prefix_checksum)
       VALUES ($1, $2, $3, 'partial', 'no-transaction', $4, $5)
       ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum`,
      [m.version, m.name, m.checksum, from, prefixChecksum(m, from)],
    );
    for (let i = from; i < statements.length; i++) {
      try {
        await withLockRetry(s, m.name, () => client.query(statements[i].text));
      } catch (err) {
        throw Object.assign(err as Error, { statementIndex: i });
      }
      await client.query(
        `UPDATE ${qualified(s.history)} SET statements_done = $2, prefix_checksum = $3 WHERE version = $1`,
        [m.version, i + 1, prefixChecksum(m, i + 1)],
      );
    }
    await client.query(
      `UPDATE ${qualified(s.history)} SET status = 'applied', applied_at = now(), duration_ms = $2, applied_by = current_user
        WHERE version = $1`,
      [m.version, Date.now() - started],
    );
  } finally {
    await client.query("RESET lock_timeout; RESET statement_timeout").catch(() => undefined);
  }
}

async function withLockRetry<T>(s: Settings, name: string, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if ((err as { code?: string }).code !== "55P03" || attempt > s.lockRetries) throw err;
      const delayMs = s.lockRetryDelayMs * 2 ** (attempt - 1);
      s.onEvent({ type: "retry", name, attempt, delayMs, reason: (err as Error).message });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

interface ExplainedError extends Error {
  failure: MigrationRunError["failure"];
}

/**
 * Names the file, statement and line. A transactional batch reports no statement, so the statements are replayed
 * one by one inside a transaction that is always rolled back (skipped when the connection is gone or the error
 * was a timeout, which would only repeat).
 */
async function explainFailure(
  client: Client,
  s: Settings,
  m: Migration,
  direction: "up" | "down",
  err: unknown,
): Promise<Error> {
  const e = err as Error & { code?: string; statementIndex?: number };
  const section =
    direction === "up" ? { sql: m.up, firstLine: m.upLine } : { sql: m.down!, firstLine: m.downLine! };
  const statements = statementsOf({ name: m.name, ...section });
  let failing = e.statementIndex !== undefined ? statements[e.statementIndex] : undefined;
  const connectionLost = !e.code || e.code.startsWith("57P") || /terminat|Connection/i.test(e.message);
  if (!failing && m.transaction && !connectionLost && !["57014", "55P03", "40P01"].includes(e.code ?? "")) {
    try {
      await client.query(
        `BEGIN; SET LOCAL statement_timeout = ${m.statementTimeoutMs ?? s.statementTimeoutMs}`,
      );
      for (const statement of statements) {
        try {
          await client.query(statement.text);
        } catch {
          failing = statement;
          break;
        }
      }
    } finally {
      await client.query("ROLLBACK").catch(() => undefined);
    }
  }
  const where = failing ? ` at line ${failing.line}` : "";
  const excerpt = failing
    ? `\n  statement: ${failing.text.split("\n").slice(0, 3).join("\n             ")}${failing.text.split("\n").length > 3 ? " …" : ""}`
    : "";
  const outcome = m.transaction
    ? "Nothing from this file was applied: its transaction was rolled back."
    : "This file runs without a transaction: the statements before this one are applied and recorded, and the next run resumes here.";
  const hint = connectionLost ? " The database connection was lost; rerun when the database is back." : "";
  const error = new Error(
    `Migration ${m.name} (${direction}) failed${where}: ${e.message}${e.code ? ` [SQLSTATE ${e.code}]` : ""}${excerpt}\n  ${outcome}${hint}`,
    { cause: err },
  ) as ExplainedError;
  error.failure = { name: m.name, line: failing?.line, statement: failing?.text, sqlstate: e.code };
  return error;
}
