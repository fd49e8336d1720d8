// The lint's findings for a set of files, kept on disk beside the parser's statement ranges
// (../sql-ranges-cache.ts, the same trust: the project's node_modules/.cache, beside the parser): a run whose
// pending files were judged before parses none of their statements. One entry per set, not per file: `up`,
// `plan` and a preview judge the same pending set again and again, and 1,000 new files then cost one read
// (warm) or one write (cold) instead of 1,000 (a file's creation costs more than parsing it). The key is
// everything the answer depends on: the parser's version (the folder; the trees' shape), the checks' own code
// (checks.ts CHECKS_CODE, and how parser.ts picks the tree), and each file's transaction mode and up
// statements' texts in order. Names, lines and opt-outs are applied after, never cached. An entry that does
// not fit is ignored and rewritten.
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

type Judged = Pick<Migration, "transaction" | "upStatements">;

/** The entry's name for these files under this code: texts are length-prefixed, so no two inputs meet. */
export function findingsKey(files: readonly Judged[], fingerprint?: string): string {
  const hash = createHash("sha256").update(fingerprint ?? (current ??= checksFingerprint()));
  for (const m of files) {
    hash.update(`${m.transaction ? "T" : "N"}${m.upStatements.length}:`);
    for (const s of m.upStatements) hash.update(`${Buffer.byteLength(s.text)}:${s.text}`);
  }
  return hash.digest("hex").slice(0, 40);
}

function entryFile(files: readonly Judged[]): string | null {
  const d = parserCacheDir();
  return d && path.join(d, "lint", `${findingsKey(files)}.json`);
}

/** One list per file; statement indexes inside it, rule names the lint knows, subjects as text. */
function fits(entry: unknown, files: readonly Judged[]): entry is StatementFinding[][] {
  return (
    Array.isArray(entry) &&
    entry.length === files.length &&
    entry.every(
      (findings, i) =>
        Array.isArray(findings) &&
        findings.every(
          (f) =>
            f &&
            Number.isInteger(f.statement) &&
            f.statement >= 0 &&
            f.statement < files[i].upStatements.length &&
            LINT_RULE_NAMES.has(f.rule) &&
            typeof f.subject === "string",
        ),
    )
  );
}

/** Each file's findings, in the order given, or undefined. */
export function cachedFindings(files: readonly Judged[]): StatementFinding[][] | undefined {
  const file = entryFile(files);
  if (!file) return undefined;
  try {
    const entry: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    return fits(entry, files) ? entry : undefined;
  } catch {
    return undefined;
  }
}

export function storeFindings(files: readonly Judged[], findings: readonly StatementFinding[][]): void {
  const file = entryFile(files);
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const plain = findings.map((list) =>
      list.map(({ statement, rule, subject }) => ({ statement, rule, subject })),
    );
    fs.writeFileSync(tmp, JSON.stringify(plain));
    fs.renameSync(tmp, file);
  } catch {
    // A read-only checkout still works, only slower.
  }
}
