// Transactional migrations as one simple-query message: for each file BEGIN, its settings, its statements, a
// guard, its history change and COMMIT, and as many files as fit one after another. On an error the server
// skips the rest of the message, so each file is still atomic with its history row and the files before it
// stay committed. The server answers every statement with a CommandComplete before any ErrorResponse:
// counting them tells which file and which statement failed without running anything again, and the error's
// `position`, relative to the text sent, maps through the offsets kept here to the file's own line.
import type { Client } from "pg";
import { Migration } from "./migration-file";
import { codePointsToIndex, lineOf, lineStarts } from "./lines";
import type { Statement } from "./sql-statements";

export interface Unit {
  readonly migration: Migration;
  readonly direction: "up" | "down";
  readonly statements: readonly Statement[];
  /** The history INSERT or DELETE that commits with the file. */
  readonly historySql: string;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** Where one user statement sits in the batch text. */
interface Segment {
  readonly unit: number;
  readonly statement: number;
  readonly queryStart: number;
}

export interface Batch {
  readonly text: string;
  readonly units: readonly Unit[];
  /** Index of each unit's first CommandComplete (BEGIN); the unit's COMMIT is at first + statements + 4. */
  readonly firstCommand: readonly number[];
  readonly segments: readonly Segment[];
}

/** Names the custom setting by which the guard recognises the migration's own transaction. */
const XACT_SETTING = "offthegrid.migration_xact";
export const GUARD_SQLSTATE = "25P01";
const GUARD =
  `DO $offthegrid$BEGIN IF current_setting('${XACT_SETTING}', true) IS DISTINCT FROM pg_current_xact_id()::text ` +
  `THEN RAISE EXCEPTION 'the migration''s transaction ended inside the file' USING ERRCODE = '${GUARD_SQLSTATE}'; ` +
  "END IF; END$offthegrid$";

/** Statements the runner adds around each file's own: BEGIN, settings | guard, history, COMMIT. */
export const OWN_BEFORE = 2;
export const OWN_AFTER = 3;

export function buildBatch(units: readonly Unit[]): Batch {
  const parts: string[] = [];
  let length = 0;
  const add = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  const firstCommand: number[] = [];
  const segments: Segment[] = [];
  let command = 0;
  units.forEach((u, unit) => {
    firstCommand.push(command);
    // Only the last file of a message waits for its WAL flush: a synchronous commit flushes everything before
    // it, so every file reported applied is durable, and a crash in between loses whole files with their
    // rows.
    const sync = unit === units.length - 1 ? "on" : "off";
    add(
      "BEGIN;\nSELECT " +
        `set_config('lock_timeout', '${u.lockTimeoutMs}', true), ` +
        `set_config('statement_timeout', '${u.statementTimeoutMs}', true), ` +
        `set_config('synchronous_commit', '${sync}', true), ` +
        `set_config('${XACT_SETTING}', pg_current_xact_id()::text, true);\n`,
    );
    u.statements.forEach((s, statement) => {
      segments.push({ unit, statement, queryStart: length });
      add(s.text);
      add(";\n");
    });
    add(`${GUARD};\n${u.historySql};\nCOMMIT;\n`);
    command += OWN_BEFORE + u.statements.length + OWN_AFTER;
  });
  return { text: parts.join(""), units, firstCommand, segments };
}

export interface Failure {
  /** Units before this one committed. */
  readonly unit: number;
  /**
   * The failing statement of the unit's own, if it was one of them (else the runner's own statement failed).
   */
  readonly statement?: Statement;
  /** 1-based line in the file, from the error position when the server gave one. */
  readonly line?: number;
  readonly guard: boolean;
}

/**
 * Maps a failure to its unit and statement: the error position first, the CommandComplete count otherwise.
 */
export function locateFailure(batch: Batch, completed: number, position: number | undefined): Failure {
  if (position !== undefined && position > 0) {
    const at = codePointsToIndex(batch.text, position - 1);
    const seg = findSegment(batch.segments, at);
    if (seg) {
      const unit = batch.units[seg.unit];
      const statement = unit.statements[seg.statement];
      if (at < seg.queryStart + statement.text.length) {
        const fileOffset = statement.start + (at - seg.queryStart);
        const line = lineOf(lineStarts(unit.migration.sql), fileOffset);
        return { unit: seg.unit, statement, line, guard: false };
      }
    }
  }
  let unit = 0;
  while (unit + 1 < batch.units.length && batch.firstCommand[unit + 1] <= completed) unit++;
  const own = completed - batch.firstCommand[unit] - OWN_BEFORE;
  const statements = batch.units[unit].statements;
  const statement = own >= 0 && own < statements.length ? statements[own] : undefined;
  return { unit, statement, line: statement?.line, guard: own === statements.length };
}

function findSegment(segments: readonly Segment[], at: number): Segment | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  let found: Segment | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid].queryStart <= at) {
      found = segments[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Sends the batch and counts CommandCompletes as they arrive, calling `onUnitDone` when a unit's COMMIT has
 * completed. Rejects with the server's error, annotated with `completed` (the count before the error).
 */
export function runBatch(client: Client, batch: Batch, onUnitDone: (unit: number) => void): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Query } = require("pg") as { Query: QueryClass };
  const commits = batch.firstCommand.map((first, i) => first + batch.units[i].statements.length + 4);
  let completed = 0;
  let next = 0;
  return new Promise((resolve, reject) => {
    const query = new Query({
      text: batch.text,
      callback: (err: Error | null) => {
        if (err) reject(Object.assign(err, { completed }));
        else resolve();
      },
    });
    const handle = query.handleCommandComplete.bind(query);
    query.handleCommandComplete = (msg: unknown, con: unknown) => {
      handle(msg, con);
      if (completed === commits[next]) onUnitDone(next++);
      completed++;
    };
    void client.query(query as never);
  });
}

interface QueryInstance {
  handleCommandComplete(msg: unknown, con: unknown): void;
}
type QueryClass = new (config: { text: string; callback: (err: Error | null) => void }) => QueryInstance;
