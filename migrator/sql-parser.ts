// PostgreSQL's own parser (libpg_query 17, compiled to WASM), as the statement splitter uses it: where each
// statement lies, or why the text does not parse. WASM loads asynchronously (~40-100 ms): async entry points
// `await loadSqlParser()` first; synchronous code (the Pulumi program, which must refuse bad files before it
// registers anything) gets the same parser through a worker thread it waits for (loadSqlParserSync).
import * as path from "node:path";
import type * as LibPgQuery from "libpg-query";
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from "node:worker_threads";
import { codePointsToIndex } from "./lines";
import { type ParserReply, cachedReply, storeReply, withPack } from "./sql-ranges-cache";

/** A statement as the parser reports it: character offsets, leading blanks and comments included. */
export interface StatementRange {
  readonly start: number;
  readonly end: number;
}

/** The parser refused the text: `position` is the character offset it names (or undefined). */
export class SqlParseError extends Error {
  override readonly name = "SqlParseError";
  constructor(
    message: string,
    readonly position: number | undefined,
  ) {
    super(message);
  }
}

type Ranges = (sql: string) => ParserReply;

let inThread: typeof LibPgQuery | undefined;
let loading: Promise<typeof LibPgQuery> | undefined;
let viaWorker: Ranges | undefined;

/** Loads the parser into this thread (once); the lint's parse trees come from the same module. */
export async function loadSqlParser(): Promise<typeof LibPgQuery> {
  loading ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require("libpg-query") as typeof LibPgQuery;
    await lib.loadModule();
    inThread = lib;
    return lib;
  })();
  return loading;
}

/** statementRanges inside withParserIfNeeded met a text the cache does not know. */
class ParserNeeded extends Error {}

let cachedOnly = false;

/**
 * Runs synchronous parsing work (loadMigrations of `texts`) on the cached answers alone, and only when one is
 * missing loads the parser into this thread and runs it again: a run whose texts are all known never loads
 * the WASM, and one that needs it never blocks on a worker. The answers are kept as one pack for these texts
 * (sql-ranges-cache.ts withPack).
 */
export function withParserIfNeeded<T>(texts: readonly string[], work: () => T): Promise<T> {
  return withPack(texts, async () => {
    if (!inThread && !viaWorker) {
      cachedOnly = true;
      try {
        return work();
      } catch (err) {
        if (!(err instanceof ParserNeeded)) throw err;
      } finally {
        cachedOnly = false;
      }
      await loadSqlParser();
    }
    return work();
  });
}

/** Whether this process has started the parser, in this thread or a worker (the cache may spare it). */
export function sqlParserStarted(): boolean {
  return inThread !== undefined || viaWorker !== undefined;
}

/**
 * For synchronous callers: starts the parser on a worker thread and blocks until it is ready; each parse is
 * then a blocking round trip to it. Nothing to do when the parser is already loaded in either form.
 */
export function loadSqlParserSync(): void {
  if (inThread || viaWorker) return;
  viaWorker = startWorker();
}

/**
 * Statement ranges of `sql` (UTF-16 offsets), or SqlParseError. Loads the parser synchronously if need be.
 */
export function statementRanges(sql: string): StatementRange[] {
  if (!/\S/.test(sql)) return []; // the parser refuses an empty query; there is nothing in it either way
  let reply = cachedReply(sql);
  if (!reply) {
    if (cachedOnly) throw new ParserNeeded("not cached");
    if (!inThread) loadSqlParserSync();
    reply = inThread ? rangesOf(inThread, sql) : viaWorker!(sql);
    storeReply(sql, reply);
  }
  if ("message" in reply) {
    const at = reply.position === undefined ? undefined : codePointsToIndex(sql, reply.position);
    throw new SqlParseError(reply.message, at);
  }
  const chars = byteToChar(sql);
  return reply.ranges.map(([from, length]) => ({
    start: chars(from),
    end: length ? chars(from + length) : sql.length,
  }));
}

/** Byte offsets of the UTF-8 text → string offsets; calls must come in ascending order. */
function byteToChar(sql: string): (byte: number) => number {
  if (Buffer.byteLength(sql) === sql.length) return (byte) => byte;
  let byte = 0;
  let char = 0;
  return (target) => {
    while (byte < target && char < sql.length) {
      const c = sql.codePointAt(char)!;
      byte += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      char += c >= 0x10000 ? 2 : 1;
    }
    return char;
  };
}

/**
 * Also the worker's code (stringified below): byte offsets and lengths, or the error and its code-point
 * offset.
 */
function rangesOf(lib: typeof LibPgQuery, sql: string): ReturnType<Ranges> {
  try {
    const tree = lib.parseSync(sql) as { stmts?: { stmt_location?: number; stmt_len?: number }[] };
    return { ranges: (tree.stmts ?? []).map((s) => [s.stmt_location ?? 0, s.stmt_len ?? 0]) };
  } catch (err) {
    const e = err as Error & { sqlDetails?: { cursorPosition?: number } };
    return { message: e.message, position: e.sqlDetails?.cursorPosition };
  }
}

const WORKER = `
const { workerData } = require("node:worker_threads");
const flag = new Int32Array(workerData.flag);
const reply = (message) => {
  workerData.port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};
const rangesOf = ${rangesOf.toString()};
const lib = require(workerData.module);
lib.loadModule().then(
  () => {
    workerData.port.on("message", (sql) => reply(rangesOf(lib, sql)));
    reply({ ready: true });
  },
  (err) => reply({ failed: String((err && err.message) || err) }),
);
`;

/** A worker must answer within this, or the caller would block forever. */
const WORKER_DEADLINE_MS = 60_000;

function startWorker(): Ranges {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const module = require.resolve("libpg-query");
  const worker = new Worker(WORKER, {
    eval: true,
    execArgv: [],
    workerData: { flag: flag.buffer, port: port2, module },
    transferList: [port2],
  });
  worker.unref();
  port1.unref();
  const ready = waitForReply(flag, port1);
  if ("failed" in ready)
    throw new Error(`Cannot load the SQL parser (${path.dirname(module)}): ${ready.failed}`);
  return (sql) => {
    port1.postMessage(sql);
    return waitForReply(flag, port1) as ReturnType<Ranges>;
  };
}

/**
 * The flag only wakes the caller; the reply is whatever the port holds. A woken caller may find the port
 * still empty (the flag can be seen before the message): it waits again instead of taking nothing, which left
 * the reply queued for the next request and paired every later request with the previous one's ranges.
 */
function waitForReply(flag: Int32Array, port: MessagePort): Record<string, unknown> {
  const deadline = Date.now() + WORKER_DEADLINE_MS;
  for (;;) {
    const received = receiveMessageOnPort(port);
    if (received) return received.message;
    const left = deadline - Date.now();
    if (left <= 0)
      throw new Error(`The SQL parser's worker did not answer within ${WORKER_DEADLINE_MS / 1000} s`);
    Atomics.store(flag, 0, 0);
    Atomics.wait(flag, 0, 0, Math.min(left, 20));
  }
}
