// Runs planned files in order: consecutive transactional files go out as batches (one round trip each, see
// batch.ts), no-transaction files statement by statement (apply-no-transaction.ts). Every planned file gets a
// result, so a failure reports exactly which files were applied before it and which were not run.
import { GUARD_SQLSTATE, Unit, buildBatch, locateFailure, runBatch } from "./batch";
import { Migration } from "./migration-file";
import { runNoTransaction } from "./apply-no-transaction";
import { MigrationResumeError } from "./no-transaction";
import { lockRetryDelayMs } from "./lock-retry";
import { MigrationLockLost } from "./session";
import { inFlightState, settleInFlight } from "./in-flight";
import { describeBlockers, findBlockers } from "./blockers";
import type { Located, MigrationResult, MigrationResultSet, Run, Settings } from "./run-types";
import { literal, qualified } from "./sql-text";
import type { UpPlan } from "./plan";

/**
 * Why a file failed: the file, line and statement, and the state it is left in (the result set's `error`).
 */
export class MigrationRunError extends Error {
  override readonly name = "MigrationRunError";
  constructor(
    message: string,
    readonly failure: { name: string; line?: number; statement?: string; sqlstate?: string },
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

/** Caps one message: the server holds the whole text in memory while it runs. */
const MAX_BATCH_CHARS = 4_000_000;

/** Never throws: what ran, and the error that stopped the run (see MigrationResultSet). */
export async function runFiles(
  run: Run,
  files: readonly Migration[],
  direction: "up" | "down",
  resume?: UpPlan["resume"],
): Promise<MigrationResultSet> {
  const results: MigrationResult[] = files.map((m) => ({ name: m.name, direction, status: "not-executed" }));
  const record = (index: number, status: "success" | "error", durationMs: number) => {
    results[index] = { name: files[index].name, direction, status, durationMs };
  };
  let i = 0;
  try {
    while (i < files.length) {
      const started = Date.now();
      if (!files[i].transaction) {
        const m = files[i];
        run.settings.onEvent({ type: "start", name: m.name, direction });
        run.watch.during = m.name;
        try {
          await runNoTransaction(run, m, direction, resume?.migration.name === m.name ? resume : undefined);
        } catch (err) {
          record(i, "error", Date.now() - started);
          const statement = (err as { located?: Located }).located?.statement;
          if ((err as { code?: string }).code === "55P03" && statement)
            await attachBlockers(run, err, statement.text);
          return { results, error: failed(run, m, direction, err) };
        }
        record(i, "success", Date.now() - started);
        run.settings.onEvent({ type: "done", name: m.name, direction, durationMs: Date.now() - started });
        i++;
        continue;
      }
      let j = i;
      let chars = 0;
      const units: Unit[] = [];
      while (j < files.length && files[j].transaction && (units.length === 0 || chars < MAX_BATCH_CHARS)) {
        units.push(unitOf(run.settings, files[j], direction));
        chars += files[j].sql.length;
        j++;
      }
      const error = await runUnits(run, units, i, record);
      if (error) return { results, error };
      i = j;
    }
  } catch (err) {
    // Not a file's failure (the runner's own bookkeeping): still report what had run.
    return { results, error: run.watch.lost ?? (err as Error) };
  }
  return { results };
}

function unitOf(s: Settings, m: Migration, direction: "up" | "down"): Unit {
  const table = qualified(s.history);
  const historySql =
    direction === "up"
      ? `INSERT INTO ${table} (version, name, checksum, status, execution_mode, applied_at, duration_ms) ` +
        `VALUES (${m.version}, ${literal(m.name)}, ${literal(m.checksum)}, 'applied', 'transaction', now(), ` +
        "(extract(epoch FROM clock_timestamp() - now()) * 1000)::integer)"
      : `DELETE FROM ${table} WHERE version = ${m.version}`;
  return {
    migration: m,
    direction,
    statements: direction === "up" ? m.upStatements : m.downStatements,
    historySql,
    lockTimeoutMs: m.lockTimeoutMs ?? s.lockTimeoutMs,
    statementTimeoutMs: m.statementTimeoutMs ?? s.statementTimeoutMs,
  };
}

/**
 * Sends the units as batches; after a lock timeout, resends from the file that hit it, with backoff. Returns
 * the error of the file that failed, if one did.
 */
async function runUnits(
  run: Run,
  units: readonly Unit[],
  offset: number,
  record: (index: number, status: "success" | "error", durationMs: number) => void,
): Promise<Error | undefined> {
  const { client, settings: s } = run;
  let from = 0;
  let attempt = 0;
  while (from < units.length) {
    const batch = buildBatch(units.slice(from));
    let unitStarted = Date.now();
    const start = (u: Unit) => {
      unitStarted = Date.now();
      run.watch.during = u.migration.name;
      s.onEvent({ type: "start", name: u.migration.name, direction: u.direction });
    };
    start(batch.units[0]);
    try {
      run.watch.check();
      await runBatch(client, batch, (u) => {
        const durationMs = Date.now() - unitStarted;
        record(offset + from + u, "success", durationMs);
        s.onEvent({
          type: "done",
          name: batch.units[u].migration.name,
          direction: batch.units[u].direction,
          durationMs,
        });
        if (u + 1 < batch.units.length) start(batch.units[u + 1]);
      });
      return undefined;
    } catch (err) {
      const e = err as Error & { code?: string; completed?: number; position?: string };
      const failure = locateFailure(batch, e.completed ?? 0, e.position ? Number(e.position) : undefined);
      // Files before the failing one committed without waiting for their flush; a synchronous commit makes
      // them durable before they are reported applied.
      const settle = failure.unit > 0 ? "ROLLBACK; BEGIN; SELECT pg_current_xact_id(); COMMIT" : "ROLLBACK";
      if (!run.watch.lost) await client.query(settle).catch(() => undefined);
      if (!e.code)
        return settled(run, batch.units.slice(failure.unit), offset + from + failure.unit, err, record);
      const unit = batch.units[failure.unit];
      if (e.code === "55P03" && attempt < s.lockRetries && !run.watch.lost) {
        if (failure.unit > 0) attempt = 0;
        attempt++;
        const delayMs = lockRetryDelayMs(s, attempt);
        s.onEvent({ type: "retry", name: unit.migration.name, attempt, delayMs, reason: e.message });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        from += failure.unit;
        continue;
      }
      record(offset + from + failure.unit, "error", Date.now() - unitStarted);
      if (e.code === "55P03" && failure.statement) await attachBlockers(run, e, failure.statement.text);
      return failed(run, unit.migration, unit.direction, err, failure);
    }
  }
  return undefined;
}

/**
 * The session died without an error from the server: the history says which in-flight files committed (they
 * are recorded applied), and the error names the first that did not, instead of the last one the server had
 * reported.
 */
async function settled(
  run: Run,
  inFlight: readonly Unit[],
  index: number,
  err: unknown,
  record: (index: number, status: "success" | "error", durationMs: number) => void,
): Promise<Error> {
  const s = run.settings;
  const outcome = await settleInFlight(inFlight, s.history, run.reconnect);
  const committed = outcome.known ? outcome.committed : 0;
  for (const u of inFlight.slice(0, committed)) {
    record(index++, "success", 0);
    s.onEvent({ type: "done", name: u.migration.name, direction: u.direction, durationMs: 0 });
  }
  const rest = inFlight.slice(committed);
  if (rest.length === 0)
    return new Error(
      `The connection died after the server committed ${inFlight[inFlight.length - 1].migration.name} (the ` +
        "history holds it): no file failed; rerun to apply the files after it.",
      { cause: err },
    );
  const [unit, ...later] = rest;
  s.onEvent({ type: "start", name: unit.migration.name, direction: unit.direction });
  record(index, "error", 0);
  const state = inFlightState(
    outcome,
    unit.migration.name,
    later.map((u) => u.migration.name),
  );
  return failed(run, unit.migration, unit.direction, err, { state, inFlight: true });
}

/** Names who held the lock the statement timed out on (looked up at once: the blocker may still hold it). */
async function attachBlockers(run: Run, err: unknown, statement: string): Promise<void> {
  if (run.watch.lost) return;
  const blockedBy = await findBlockers(run.client, statement).then(
    describeBlockers,
    (e: Error) => `unknown (${e.message})`,
  );
  Object.assign(err as object, { blockedBy });
}

/** Builds the error that names the file, line and statement, and says exactly what state the file is in. */
export function failed(
  run: Run,
  m: Migration,
  direction: "up" | "down",
  err: unknown,
  where: Located = (err as { located?: Located }).located ?? {},
): Error {
  const lost = run.watch.lost;
  // The lock session may see the end first, while the work session's replies (the file it had reached) are
  // unread.
  if (lost && !where.inFlight)
    return lost.during === m.name ? lost : new MigrationLockLost(lost.lockPid, m.name, lost.cause);
  const e = err as Error & { code?: string };
  if (e instanceof MigrationResumeError) {
    const error = new MigrationRunError(e.message, { name: m.name }, err);
    run.settings.onEvent({ type: "failed", name: m.name, direction, error });
    return error;
  }
  const connectionLost = !e.code || e.code.startsWith("57P") || /terminat|Connection/i.test(e.message);
  // When the guard fires, a hidden COMMIT has shifted the statement count: name no statement rather than a
  // wrong one.
  if (e.code === GUARD_SQLSTATE) where = { guard: true };
  const line = where.line ?? where.statement?.line;
  const lines = where.statement?.text.split(/\r?\n|\r/) ?? [];
  const excerpt = where.statement
    ? `\n  statement: ${lines.slice(0, 3).join("\n             ")}${lines.length > 3 ? " …" : ""}`
    : "";
  let outcome: string;
  if (where.guard || e.code === GUARD_SQLSTATE) {
    outcome =
      "The file ended the runner's transaction (a COMMIT or ROLLBACK the runner could not see, e.g. inside a " +
      "procedure): what ran before that point may be committed, and the file is NOT recorded as applied. Inspect " +
      "the database before rerunning.";
  } else if (where.state && where.inFlight) {
    outcome = where.state;
  } else if (m.transaction) {
    outcome = "Nothing from this file was applied: its transaction was rolled back.";
  } else {
    outcome = where.state ?? "";
  }
  const blockedBy = (err as { blockedBy?: string }).blockedBy;
  const hint =
    connectionLost && !where.inFlight
      ? " The database connection was lost; rerun when the database is back."
      : "";
  const message =
    `Migration ${m.name} (${direction}) failed${line ? ` at line ${line}` : ""}: ${e.message}` +
    `${e.code ? ` [SQLSTATE ${e.code}]` : ""}${excerpt}${blockedBy ? `\n  blocked by: ${blockedBy}` : ""}` +
    `\n  ${outcome}${hint}`;
  const error = new MigrationRunError(
    message,
    { name: m.name, line, statement: where.statement?.text, sqlstate: e.code },
    err,
  );
  run.settings.onEvent({ type: "failed", name: m.name, direction, error });
  return error;
}
