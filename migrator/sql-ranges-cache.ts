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

function entryFile(sql: string): string | null {
  const d = parserCacheDir();
  return d && path.join(d, `${createHash("sha256").update(sql).digest("hex").slice(0, 40)}.json`);
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

export function cachedReply(sql: string): ParserReply | undefined {
  const file = entryFile(sql);
  if (!file) return undefined;
  try {
    const reply = JSON.parse(fs.readFileSync(file, "utf8")) as ParserReply;
    return fits(reply, Buffer.byteLength(sql)) ? reply : undefined;
  } catch {
    return undefined;
  }
}

export function storeReply(sql: string, reply: ParserReply): void {
  const file = entryFile(sql);
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(reply));
    fs.renameSync(tmp, file);
  } catch {
    // A read-only checkout still works, only slower.
  }
}
