// The migration lint: each up section parsed by PostgreSQL's own parser, judged statement by statement
// against LINT_RULES. Used by `offthegrid-migrate lint`, by `plan` and `up` (which refuse), and by the schema
// resource's check (so `pulumi preview` fails before anything runs). Files numbered up to the baseline are
// not judged (see rules.ts); down sections are not judged (they run only on an operator's explicit rollback).
// The verdicts on a set of files are cached on disk (cache.ts), so a set judged before costs no parse.
import type { Migration } from "../migration-file";
import { checkStatement, newContext } from "./checks";
import { LINT_BASELINE, ruleNamed } from "./rules";
import { Ast, loadParser } from "./parser";
import { StatementFinding, cachedFindings, storeFindings } from "./cache";

export { LINT_BASELINE, LINT_RULES, LINT_RULE_NAMES, LintRule } from "./rules";

export interface LintFinding {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly subject: string;
  readonly blocks: string;
  readonly safe: string;
  /** The reason of the file's `-- migrate:allow <rule> <reason>`, when it opts out of this rule. */
  readonly allowed?: string;
}

export interface LintOptions {
  /** Files numbered up to this are not judged (default LINT_BASELINE). */
  readonly baseline?: number;
}

export class MigrationLintError extends Error {
  override readonly name = "MigrationLintError";
  constructor(readonly findings: readonly LintFinding[]) {
    super(
      `Migration lint refused ${findings.length} statement(s) in ${[...new Set(findings.map((f) => f.file))].join(", ")} ` +
        "that would block or break the running app:\n" +
        findings.map((f) => `  ${formatFinding(f)}`).join("\n"),
    );
  }
}

/** One line per finding, the same in the CLI, in `plan` and in a failed preview. */
export function formatFinding(f: LintFinding): string {
  const head = `${f.file}:${f.line} ${f.rule}: ${f.subject}: ${f.blocks}.`;
  if (f.allowed !== undefined) return `${head} Allowed by the file: ${f.allowed}`;
  return `${head} Safe: ${f.safe}. (Or opt out in the header: -- migrate:allow ${f.rule} <reason>)`;
}

export function linted(m: Migration, options: LintOptions = {}): boolean {
  return m.version > (options.baseline ?? LINT_BASELINE);
}

/**
 * Every finding of the files above the baseline, opted out or not. Loads the parser only when these files'
 * findings are not cached (cache.ts).
 */
export async function lintMigrations(
  files: readonly Migration[],
  options: LintOptions = {},
): Promise<LintFinding[]> {
  const judged = files.filter((m) => linted(m, options));
  if (judged.length === 0) return [];
  let raw = cachedFindings(judged);
  if (!raw) {
    const parse = await loadParser();
    raw = judged.map((m) => judgeFile(m, parse));
    storeFindings(judged, raw);
  }
  return judged.flatMap((m, i) => described(m, raw[i]));
}

/** Throws MigrationLintError when a finding is not opted out. */
export async function assertLintClean(files: readonly Migration[], options: LintOptions = {}): Promise<void> {
  const refused = (await lintMigrations(files, options)).filter((f) => f.allowed === undefined);
  if (refused.length) throw new MigrationLintError(refused);
}

/** The checks' verdicts on the file's up statements, in order: what the cache keeps. */
export function judgeFile(m: Migration, parse: (sql: string) => Ast): StatementFinding[] {
  const ctx = newContext(m.transaction);
  return m.upStatements.flatMap((statement, index) =>
    checkStatement(parse(statement.text), ctx).map((raw) => ({ statement: index, ...raw })),
  );
}

/** Verdicts as the user reads them: the file, the line, the rule's text and the file's own opt-out. */
function described(m: Migration, raw: readonly StatementFinding[]): LintFinding[] {
  const allowed = new Map(m.optOuts.map((o) => [o.rule, o.reason]));
  return raw.map((f) => {
    const rule = ruleNamed(f.rule);
    return {
      file: m.name,
      line: m.upStatements[f.statement].line,
      rule: rule.name,
      subject: f.subject,
      blocks: rule.blocks,
      safe: rule.safe,
      ...(allowed.has(rule.name) ? { allowed: allowed.get(rule.name) } : {}),
    };
  });
}
