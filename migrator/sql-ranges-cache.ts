// The parser's answer for a text, kept on disk: the Pulumi program, the provider host and the CLI read the
// same sql/ files on every run, and a process whose files are all known never starts the parser (a worker
// thread and ~1 MB of WASM, ~150 ms of a preview's CPU). Kept beside the parser package, in the project's
// node_modules/.cache (as trusted as the parser itself), keyed by the parser's version and a hash of the
// text; an entry that does not fit its text is ignored and rewritten. OFFTHEGRID_SQL_CACHE=off turns it off.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export type ParserReply = { ranges: [number, number][] } | { message: string; position?: number };

let dir: string | null | undefined;

/**
 * node_modules/.cache/offthegrid-sql-<parser version>, or null (cache off, or no node_modules to hold it).
 * The lint's findings (lint/cache.ts) live in a folder of their own inside it.
 */
export function parserCacheDir(): string | null {
  if (dir !== undefined) return dir;
  if (process.env.OFFTHEGRID_SQL_CACHE === "off") return (dir = null);
  try {
    const main = require.resolve("libpg-query");
    const parts = main.split(path.sep);
    const at = parts.lastIndexOf("node_modules");
    const pkg = JSON.parse(
      fs.readFileSync(path.join(parts.slice(0, at + 2).join(path.sep), "package.json"), "utf8"),
    ) as { version: string };
    dir =
      at < 0
        ? null
        : path.join(parts.slice(0, at + 1).join(path.sep), ".cache", `offthegrid-sql-${pkg.version}`);
  } catch {
    dir = null;
  }
  return dir;
}

const textHash = (sql: string) => createHash("sha256").update(sql).digest("hex").slice(0, 40);

function entryFile(sql: string): string | null {
  const d = parserCacheDir();
  return d && path.join(d, `${textHash(sql)}.json`);
}

/** Byte ranges that lie inside the text, in order; anything else is a damaged entry. */
function fits(reply: ParserReply, bytes: number): boolean {
  if ("message" in reply) return typeof reply.message === "string";
  let last = 0;
  return (
    Array.isArray(reply.ranges) &&
    reply.ranges.every(([from, length]) => {
      const ok = Number.isInteger(from) && Number.isInteger(length) && from >= last && from + length <= bytes;
      last = from;
      return ok;
    })
  );
}

/**
 * The answers one set of sources needed, as one file: loading a directory asks for two or three texts per
 * file, and creating an entry file costs more than the parse it saves (1,000 new files took ~1.8 s of
 * writes). Inside withPack, answers are read from and added to the pack; it is written once, at the end.
 */
interface Pack {
  readonly file: string;
  readonly replies: Record<string, ParserReply>;
  changed: boolean;
}

let pack: Pack | undefined;

/** Runs `work` with the pack of these source texts (keyed by all of them, in order); writes it if it grew. */
export async function withPack<T>(texts: readonly string[], work: () => Promise<T>): Promise<T> {
  const d = parserCacheDir();
  if (!d || pack) return work();
  const key = createHash("sha256");
  for (const t of texts) key.update(`${Buffer.byteLength(t)}:${t}`);
  const file = path.join(d, "packs", `${key.digest("hex").slice(0, 40)}.json`);
  let replies: Record<string, ParserReply> = {};
  try {
    const read: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (read && typeof read === "object" && !Array.isArray(read))
      replies = read as Record<string, ParserReply>;
  } catch {
    // No pack yet (or a damaged one): it is written afresh.
  }
  const open: Pack = { file, replies, changed: false };
  pack = open;
  try {
    return await work();
  } finally {
    pack = undefined;
    if (open.changed) writeAtomically(open.file, open.replies);
  }
}

function fitting(reply: unknown, sql: string): ParserReply | undefined {
  try {
    return reply && fits(reply as ParserReply, Buffer.byteLength(sql)) ? (reply as ParserReply) : undefined;
  } catch {
    return undefined;
  }
}

export function cachedReply(sql: string): ParserReply | undefined {
  const packed = pack && fitting(pack.replies[textHash(sql)], sql);
  if (packed) return packed;
  const file = entryFile(sql);
  if (!file) return undefined;
  let reply: ParserReply | undefined;
  try {
    reply = fitting(JSON.parse(fs.readFileSync(file, "utf8")), sql);
  } catch {
    return undefined;
  }
  if (reply && pack) {
    pack.replies[textHash(sql)] = reply;
    pack.changed = true;
  }
  return reply;
}

export function storeReply(sql: string, reply: ParserReply): void {
  if (pack) {
    pack.replies[textHash(sql)] = reply;
    pack.changed = true;
    return;
  }
  const file = entryFile(sql);
  if (file) writeAtomically(file, reply);
}

function writeAtomically(file: string, value: unknown): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(value));
    fs.renameSync(tmp, file);
  } catch {
    // A read-only checkout still works, only slower.
  }
}
