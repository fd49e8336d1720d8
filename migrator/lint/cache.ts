// The lint's findings for a file, kept on disk beside the parser's statement ranges
// (../sql-ranges-cache.ts, the same trust: the project's node_modules/.cache, beside the parser): a run whose
// pending files were judged before parses none of their statements. The key is everything the answer depends
// on: the parser's version (the folder; the trees' shape), the checks' own code (checks.ts CHECKS_CODE, and
// how parser.ts picks the tree), the file's transaction mode and its up statements' texts in order. The
// file's name, lines and opt-outs are applied after, never cached. An entry that does not fit is ignored and
// rewritten.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Migration } from "../migration-file";
import { parserCacheDir } from "../sql-ranges-cache";
import { CHECKS_CODE, RawFinding } from "./checks";
import { loadParser } from "./parser";
import { LINT_RULE_NAMES } from "./rules";

/** A finding of the checks, by the index of the up statement it concerns. */
export interface StatementFinding extends RawFinding {
  readonly statement: number;
}

/** A hash of the code that judges: the given declarations' source text, in order. */
export function checksFingerprint(code: readonly unknown[] = [...CHECKS_CODE, loadParser]): string {
  const hash = createHash("sha256");
  for (const part of code) {
    const text =
      typeof part === "function" ? part.toString() : JSON.stringify(part instanceof Set ? [...part] : part);
    hash.update(`${text.length}:${text}`);
  }
  return hash.digest("hex");
}

let current: string | undefined;

/** The entry's name for this file under this code: the texts are length-prefixed, so no two inputs meet. */
export function findingsKey(
  m: Pick<Migration, "transaction" | "upStatements">,
  fingerprint?: string,
): string {
  const hash = createHash("sha256").update(fingerprint ?? (current ??= checksFingerprint()));
  hash.update(m.transaction ? "T" : "N");
  for (const s of m.upStatements) hash.update(`${Buffer.byteLength(s.text)}:${s.text}`);
  return hash.digest("hex").slice(0, 40);
}

function entryFile(m: Pick<Migration, "transaction" | "upStatements">): string | null {
  const d = parserCacheDir();
  return d && path.join(d, "lint", `${findingsKey(m)}.json`);
}

/** Statement indexes inside the file, rule names the lint knows, subjects as text. */
function fits(entry: unknown, statements: number): entry is StatementFinding[] {
  return (
    Array.isArray(entry) &&
    entry.every(
      (f) =>
        f &&
        Number.isInteger(f.statement) &&
        f.statement >= 0 &&
        f.statement < statements &&
        LINT_RULE_NAMES.has(f.rule) &&
        typeof f.subject === "string",
    )
  );
}

export function cachedFindings(m: Migration): StatementFinding[] | undefined {
  const file = entryFile(m);
  if (!file) return undefined;
  try {
    const entry: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    return fits(entry, m.upStatements.length) ? entry : undefined;
  } catch {
    return undefined;
  }
}

export function storeFindings(m: Migration, findings: readonly StatementFinding[]): void {
  const file = entryFile(m);
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(
      tmp,
      JSON.stringify(findings.map(({ statement, rule, subject }) => ({ statement, rule, subject }))),
    );
    fs.renameSync(tmp, file);
  } catch {
    // A read-only checkout still works, only slower.
  }
}
