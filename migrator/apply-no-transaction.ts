// Running a -- migrate:no-transaction file: one statement per query in autocommit (a multi-statement message
// would be one implicit transaction, which CREATE INDEX CONCURRENTLY refuses), up with resumable progress,
// down the same way without it. Progress costs one UPDATE per statement and a running checksum: linear in the
// file.
import {
  CLEANUP_TIMEOUT_MS,
  Leftover,
  clearLeftovers,
  describeLeftovers,
  finishDetach,
  snapshot,
} from "./concurrent-leftovers";
import { ConcurrentKind, concurrentKind, waitsWithoutBlocking } from "./concurrent-statement";
import { RUNNING_MARK } from "./history";
import { Migration } from "./migration-file";
import {
  MigrationResumeError,
  PrefixHasher,
  checkIndexName,
  invalidIndexes,
  resolveInFlight,
} from "./no-transaction";
import type { UpPlan } from "./plan";
import { lockRetryDelayMs } from "./lock-retry";
import type { Located, Run, Settings } from "./run-types";
import { codePointsToIndex, lineOf, lineStarts } from "./lines";
import type { Statement } from "./sql-statements";
import { qualified } from "./sql-text";

export async function runNoTransaction(
  run: Run,
  m: Migration,
  direction: "up" | "down",
  resume: UpPlan["resume"] | undefined,
): Promise<void> {
  const { client } = run;
  run.watch.check();
  await client.query(timeouts(run, m));
  try {
    if (direction === "up") await up(run, m, resume);
    else await down(run, m);
  } finally {
    if (!run.watch.lost) {
      await client.query("RESET lock_timeout; RESET statement_timeout").catch(() => undefined);
    }
  }
}

/** The file's timeouts; a statement that waits without blocking the app runs with lock_timeout 0 instead. */
function timeouts(run: Run, m: Migration, kind?: ConcurrentKind): string {
  const s = run.settings;
  const lock = waitsWithoutBlocking(kind) ? 0 : (m.lockTimeoutMs ?? s.lockTimeoutMs);
  return `SET lock_timeout = ${lock}; SET statement_timeout = ${m.statementTimeoutMs ?? s.statementTimeoutMs}`;
}

async function up(run: Run, m: Migration, resume: UpPlan["resume"] | undefined): Promise<void> {
  const { client, settings: s } = run;
  const statements = m.upStatements;
  const table = qualified(s.history);
  const hasher = new PrefixHasher(statements);
  const notify = (message: string) => s.onEvent({ type: "notice", name: m.name, message });
  let from = resume?.statementsDone ?? 0;
  if (resume?.inFlight && from < statements.length) {
    const fresh = (count: number) => new PrefixHasher(statements).at(count);
    if ((await resolveInFlight(client, s.history, m, from, fresh)) === "done") {
      notify(
        `statement ${from + 1} (line ${statements[from].line}) had finished before the last run stopped`,
      );
      from++;
    }
  }
  const progress = (done: number) => hasher.at(done) + (done < statements.length ? RUNNING_MARK : "");
  run.watch.check();
  await client.query(
    `INSERT INTO ${table} (version, name, checksum, status, execution_mode, statements_done, prefix_checksum)
     VALUES ($1, $2, $3, 'partial', 'no-transaction', $4, $5)
     ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum, statements_done = EXCLUDED.statements_done,
       prefix_checksum = EXCLUDED.prefix_checksum`,
    [m.version, m.name, m.checksum, from, progress(from)],
  );
  const started = Date.now();
  for (let i = from; i < statements.length; i++) {
    try {
      await checkIndexName(client, m, i, resume?.inFlight === true && i === from, notify);
      await runStatement(run, m, statements[i]);
    } catch (err) {
      // A server error means the statement did not finish: clear the running mark so the next run just
      // resumes.
      const code = (err as { code?: string }).code;
      const serverSaidNo = typeof code === "string" && !/^(57P|08)/.test(code) && !run.watch.lost;
      if (serverSaidNo) {
        await client
          .query(`UPDATE ${table} SET prefix_checksum = $2 WHERE version = $1`, [m.version, hasher.at(i)])
          .catch(() => undefined);
      }
      const left = (err as { leftovers?: Leftover[] }).leftovers;
      const kind = (err as { kind?: ConcurrentKind }).kind;
      const state = [upState(i, statements.length, serverSaidNo), describeLeftovers(i + 1, left ?? [])];
      if (kind?.kind === "commits-inside")
        state.push(
          `Statement ${i + 1} is a ${kind.what}: whatever it committed before the error stays committed (a ` +
            `procedure or DO block can COMMIT inside), and the next run runs it again from its start.`,
        );
      throw located(err, m, statements[i], state.filter(Boolean).join(" "));
    }
    run.watch.check();
    await client.query(`UPDATE ${table} SET statements_done = $2, prefix_checksum = $3 WHERE version = $1`, [
      m.version,
      i + 1,
      progress(i + 1),
    ]);
  }
  const invalid = await invalidIndexes(client, m);
  if (invalid.length > 0) {
    throw new MigrationResumeError(
      `${m.name}: every statement ran, but index ${invalid.join(", ")} is INVALID, so the file is not recorded as ` +
        `applied. Drop it (DROP INDEX CONCURRENTLY ${invalid[0]}), set statements_done in ${table} back to the ` +
        "statement that creates it, and rerun `migrate up`.",
    );
  }
  await client.query(
    `UPDATE ${table} SET status = 'applied', applied_at = now(), duration_ms = $2, applied_by = current_user
      WHERE version = $1`,
    [m.version, Date.now() - started],
  );
}

function upState(i: number, total: number, finishedCleanly: boolean): string {
  const applied =
    i === 0
      ? "no statement of it is applied"
      : `${i === 1 ? "statement 1" : `statements 1-${i}`} of ${total} ${i === 1 ? "is" : "are"} applied and recorded`;
  return finishedCleanly
    ? `This file runs without a transaction: ${applied}, and the next run resumes at statement ${i + 1}.`
    : `This file runs without a transaction: ${applied}; statement ${i + 1} may or may not have finished, and the ` +
        "next run checks which before it resumes.";
}

async function down(run: Run, m: Migration): Promise<void> {
  const statements = m.downStatements;
  for (let i = 0; i < statements.length; i++) {
    try {
      await runStatement(run, m, statements[i]);
    } catch (err) {
      const left = describeLeftovers(i + 1, (err as { leftovers?: Leftover[] }).leftovers ?? []);
      throw located(
        err,
        m,
        statements[i],
        `This file runs without a transaction: ${i === 0 ? "no down statement ran" : `down statements 1-${i} ran and are committed`}, ` +
          `and ${m.name} is still recorded as applied. Fix the failing statement and rerun \`migrate down\`; ` +
          "the statements that ran will run again, so write them with IF EXISTS." +
          (left ? ` ${left}` : ""),
      );
    }
  }
  run.watch.check();
  await run.client.query(`DELETE FROM ${qualified(run.settings.history)} WHERE version = $1`, [m.version]);
}

/**
 * Runs one statement. A non-atomic one (concurrent-statement.ts) that fails is cleaned up at once: what it
 * created since it started is dropped, or named on the error (`leftovers`) with the command that removes or
 * finishes it. A retry after lock_timeout starts clean, or does not happen.
 */
async function runStatement(run: Run, m: Migration, statement: Statement): Promise<void> {
  const { client, settings: s } = run;
  const kind = await concurrentKind(statement.text);
  const before = kind ? await snapshot(client, kind) : undefined;
  const statementTimeoutMs = m.statementTimeoutMs ?? s.statementTimeoutMs;
  if (waitsWithoutBlocking(kind)) await client.query(timeouts(run, m, kind));
  let text = statement.text;
  // DETACH … CONCURRENTLY of a partition already pending detach is refused by the server; finishing it is
  // what the statement asks for.
  const finish = kind && before ? await finishDetach(client, kind, before) : undefined;
  if (finish) {
    s.onEvent({
      type: "notice",
      name: m.name,
      message: `the detach is already pending; finishing it: ${finish}`,
    });
    text = finish;
  }
  let left: Leftover[] = [];
  const retryable = () =>
    kind?.kind !== "commits-inside" && left.every((l) => l.dropped || l.state === "pending-detach");
  try {
    await withLockRetry(s, m.name, retryable, async () => {
      run.watch.check();
      try {
        await client.query(text);
      } catch (err) {
        if (!kind || !before || connectionGone(run, err)) throw Object.assign(err as object, { kind });
        left = await clearLeftovers(client, kind, before, Math.min(CLEANUP_TIMEOUT_MS, statementTimeoutMs));
        await client.query(timeouts(run, m, kind));
        // A detach the first attempt left pending is finished, not started again (it would be refused).
        const pending = left.find((l) => l.state === "pending-detach");
        if (pending) text = pending.fix;
        throw Object.assign(err as object, { kind, leftovers: left });
      }
    });
  } finally {
    if (waitsWithoutBlocking(kind) && !run.watch.lost)
      await client.query(timeouts(run, m)).catch(() => undefined);
  }
}

function connectionGone(run: Run, err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return run.watch.lost !== undefined || typeof code !== "string" || /^(57P|08)/.test(code);
}

/** Attaches the failing statement, and the line of the error position inside it, for the error message. */
function located(err: unknown, m: Migration, statement: Statement, state: string): unknown {
  const position = Number((err as { position?: string }).position);
  let line = statement.line;
  if (position > 0) {
    line = lineOf(lineStarts(m.sql), statement.start + codePointsToIndex(statement.text, position - 1));
  }
  const where: Located = { statement, line, state };
  return Object.assign(err as object, { located: where });
}

async function withLockRetry<T>(
  s: Settings,
  name: string,
  retryable: () => boolean,
  run: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if ((err as { code?: string }).code !== "55P03" || attempt > s.lockRetries || !retryable()) throw err;
      const delayMs = lockRetryDelayMs(s, attempt);
      s.onEvent({ type: "retry", name, attempt, delayMs, reason: (err as Error).message });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
