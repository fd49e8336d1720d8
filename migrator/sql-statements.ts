// Splits SQL text into top-level statements, with offsets and the line each starts on, by PostgreSQL's own
// parser (sql-parser.ts): it knows strings, quoted identifiers, dollar quotes, nested comments, CREATE RULE's
// action lists and BEGIN ATOMIC bodies as the server does. The parser ignores comments, but the caller's
// directives are comments that end one section and start the next; so each `--` the caller asks about is
// checked to be a real, top-level comment (the parser's verdict on the text before it), and each section is
// parsed on its own.
import { SqlParseError, statementRanges } from "./sql-parser";
import { lineOf, lineStarts } from "./lines";

export interface Statement {
  /** The statement from its first token to its last one: no terminating semicolon, no trailing comment. */
  readonly text: string;
  /** 1-based line within the scanned text where the statement's first token is. */
  readonly line: number;
  /** Offsets of `text` in the scanned text: text === sql.slice(start, end). */
  readonly start: number;
  readonly end: number;
}

export interface SplitOptions {
  /** Offset to start scanning at (e.g. after a byte order mark). */
  readonly from?: number;
  /** Where the comments `onLineComment` wants to see may start: a global pattern matched at a `--`. */
  readonly comments?: RegExp;
  /**
   * Called for each top-level `--` comment found by `comments` (end excludes the line break). Returning true
   * makes the comment a section boundary: the statement before it ends there, even without a semicolon.
   */
  readonly onLineComment?: (start: number, end: number, line: number) => boolean;
}

/** The parser refuses the text: `reason` is its message, `line` the line it names. */
export class SqlSyntaxError extends Error {
  override readonly name = "SqlSyntaxError";
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(`${reason} (line ${line})`);
  }
}

export function splitSql(sql: string, options: SplitOptions = {}): Statement[] {
  const lines = lineStarts(sql);
  const statements: Statement[] = [];
  const from = options.from ?? 0;
  let section = from;
  const add = (to: number, ranges = parsed(sql, section, to, lines)) => {
    for (const r of ranges) {
      const first = skipBlanks(sql, section + r.start, section + r.end);
      const last = lastTokenEnd(sql, first, section + r.end);
      statements.push({ text: sql.slice(first, last), line: lineOf(lines, first), start: first, end: last });
    }
  };
  for (const start of candidates(sql, from, options.comments)) {
    if (start < section || !options.onLineComment) continue;
    const atLineStart = start === from || sql[start - 1] === "\n" || sql[start - 1] === "\r";
    const before = atLineStart ? sectionBefore(sql, section, start, lines) : undefined;
    if (before === INSIDE) continue;
    if (!atLineStart) {
      const verdict = topLevel(sql, section, start);
      if (verdict instanceof SqlParseError) throw syntaxError(verdict, section, lines);
      if (!verdict) continue;
    }
    const end = lineEnd(sql, start);
    if (options.onLineComment(start, end, lineOf(lines, start))) {
      add(start, before);
      section = end;
    }
  }
  add(sql.length);
  return statements;
}

function candidates(sql: string, from: number, pattern: RegExp | undefined): number[] {
  if (!pattern) return [];
  const re = new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`);
  re.lastIndex = from;
  const found: number[] = [];
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    if (m[0] === "") re.lastIndex++;
    else found.push(m.index);
  }
  return found;
}

function lineEnd(sql: string, start: number): number {
  const lf = /[\n\r]/g;
  lf.lastIndex = start;
  return lf.exec(sql) ? lf.lastIndex - 1 : sql.length;
}

/**
 * The parser's ranges of sql[from, to), relative to `from`; a refusal becomes a SqlSyntaxError with its line.
 */
function parsed(sql: string, from: number, to: number, lines: readonly number[]) {
  try {
    return statementRanges(sql.slice(from, to));
  } catch (err) {
    if (!(err instanceof SqlParseError)) throw err;
    throw syntaxError(err, from, lines);
  }
}

/**
 * "syntax error at or near" quotes the rest of the text when it is an unterminated dollar quote: keep it
 * short.
 */
function syntaxError(err: SqlParseError, from: number, lines: readonly number[]): SqlSyntaxError {
  const first = err.message.split(/\r?\n|\r/)[0];
  const reason = first.length > 120 || first !== err.message ? `${first.slice(0, 117)}…"` : err.message;
  return new SqlSyntaxError(reason, lineOf(lines, from + (err.position ?? 0)));
}

const INSIDE = "inside a literal or comment";

/**
 * A line start is either top level or inside a string, quoted identifier, dollar quote or block comment (a
 * line comment ends at the line break): parsing the text before it tells which, and gives that text's
 * statements.
 */
function sectionBefore(sql: string, from: number, to: number, lines: readonly number[]) {
  try {
    return parsed(sql, from, to, lines);
  } catch (err) {
    if (err instanceof SqlSyntaxError && err.reason.startsWith("unterminated ")) return INSIDE;
    throw err;
  }
}

/**
 * Whether `at` (after top-level `from`) is at top level; in the middle of a line a `--` may also sit in a
 * line comment. A lone backslash is a syntax error exactly where it stands at top level, and inert (or left
 * unterminated) anywhere else: the parser's verdict on the text before `at` with one appended tells which. An
 * error before `at` is an error of the text itself, whatever `at` is: it is returned.
 */
function topLevel(sql: string, from: number, at: number): boolean | SqlParseError {
  const probe = `${sql.slice(from, at)}\\`;
  try {
    statementRanges(probe);
    return false;
  } catch (err) {
    if (!(err instanceof SqlParseError)) throw err;
    if (err.position === probe.length - 1 && err.message === 'syntax error at or near "\\"') return true;
    return err.message.startsWith("unterminated ") || / at end of input$/.test(err.message) ? false : err;
  }
}

/** The first offset from `i` that is not a blank or inside a comment (i must be at top level). */
function skipBlanks(sql: string, i: number, to: number): number {
  while (i < to) {
    const c = sql[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") i++;
    else if (c === "-" && sql[i + 1] === "-") i = lineEnd(sql, i);
    else if (c === "/" && sql[i + 1] === "*") {
      const close = blockCommentEnd(sql, i);
      if (close < 0) return i;
      i = close;
    } else return i;
  }
  return i;
}

function blockCommentEnd(sql: string, i: number): number {
  const marks = /\/\*|\*\//g;
  marks.lastIndex = i;
  let depth = 0;
  for (let m = marks.exec(sql); m; m = marks.exec(sql)) {
    depth += m[0] === "/*" ? 1 : -1;
    if (depth === 0) return marks.lastIndex;
  }
  return -1;
}

function trimEnd(sql: string, from: number, to: number): number {
  while (to > from && /[ \t\n\r\f\v]/.test(sql[to - 1])) to--;
  return to;
}

/**
 * The end of the statement's last token: the parser's range runs to the semicolon, trailing comments
 * included. Only a `--` on the last line or the close of a block comment can end one; the first top-level
 * comment from which nothing but comments and blanks follows is where the trailing comments start.
 */
function lastTokenEnd(sql: string, first: number, to: number): number {
  const end = trimEnd(sql, first, to);
  const lastLine = Math.max(sql.lastIndexOf("\n", end - 1), sql.lastIndexOf("\r", end - 1), first);
  if (!sql.endsWith("*/", end) && sql.slice(lastLine, end).indexOf("--") < 0) return end;
  const starts = /--|\/\*/g;
  starts.lastIndex = first;
  for (let m = starts.exec(sql); m && m.index < end; m = starts.exec(sql)) {
    if (skipBlanks(sql, m.index, to) >= to && topLevel(sql, first, m.index) === true)
      return trimEnd(sql, first, m.index);
    starts.lastIndex = m.index + 1;
  }
  return end;
}
