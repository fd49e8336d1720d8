// Splits SQL text into top-level statements, with offsets and the line each starts on. Understands '' and E''
// strings, "quoted identifiers", $tag$ dollar quotes, -- and nested /* */ comments, parentheses (CREATE RULE's
// action lists) and psql's rule for SQL-standard routine bodies (CREATE FUNCTION … BEGIN ATOMIC … END). Pure,
// one linear pass.
import { EngineError } from "./errors";

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
  /**
   * Called for each top-level `--` comment (end excludes the line break). Returning true makes the comment a
   * section boundary: the statement before it ends there, even without a semicolon.
   */
  readonly onLineComment?: (start: number, end: number, line: number) => boolean;
}

export class SqlSplitError extends EngineError {
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super("SqlSplitError", `${reason} (line ${line})`);
  }
}

/** Offsets where lines start; a line break is \n, \r\n or a lone \r. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  if (text.indexOf("\r") < 0) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    return starts;
  }
  const lineBreak = /\r\n?|\n/g;
  while (lineBreak.exec(text)) starts.push(lineBreak.lastIndex);
  return starts;
}

/** 1-based line of `offset`, by binary search over lineStarts(). */
export function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function splitSql(sql: string, options: SplitOptions = {}): Statement[] {
  const lines = lineStarts(sql);
  const statements: Statement[] = [];
  const n = sql.length;
  let i = options.from ?? 0;
  let first = -1; // offset of the current statement's first token
  let last = -1; // end of its last token
  let parens = 0;
  let beginDepth = 0;
  const words: string[] = []; // the first four words, lower-case, to recognise CREATE [OR REPLACE] FUNCTION
  const end = () => {
    if (first >= 0) {
      statements.push({ text: sql.slice(first, last), line: lineOf(lines, first), start: first, end: last });
    }
    first = last = -1;
    parens = beginDepth = 0;
    words.length = 0;
  };
  const token = (from: number, to: number) => {
    if (first < 0) first = from;
    last = to;
    i = to;
  };

  // Native searches (regular expressions, indexOf) do the skipping: a cold process interprets this loop, and
  // visiting every character costs more than the whole rest of a no-op run.
  const nextToken = /[^ \t\n\v\f\r]/g;
  const lineEnd = /[\n\r]/g;
  const wordTail = /[\w$\u0080-\uffff]*/y;
  for (;;) {
    nextToken.lastIndex = i;
    if (!nextToken.exec(sql)) break;
    i = nextToken.lastIndex - 1;
    const c = sql.charCodeAt(i);
    if (c === DASH && sql.charCodeAt(i + 1) === DASH) {
      lineEnd.lastIndex = i;
      const stop = lineEnd.exec(sql) ? lineEnd.lastIndex - 1 : n;
      if (options.onLineComment?.(i, stop, lineOf(lines, i))) end();
      i = stop;
    } else if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      i = skipBlockComment(sql, i, lines);
    } else if (isWordStart(c)) {
      wordTail.lastIndex = i + 1;
      wordTail.exec(sql);
      const j = wordTail.lastIndex;
      if (j === i + 1 && (c === 69 || c === 101) && sql.charCodeAt(j) === QUOTE) {
        token(i, skipQuoted(sql, j, QUOTE, true, lines)); // E'…' with backslash escapes
        continue;
      }
      if (words.length < 4 || beginDepth > 0 || isRoutine(words)) {
        const word = sql.slice(i, j).toLowerCase();
        if (words.length < 4) words.push(word);
        if (isRoutine(words)) {
          if (word === "begin" || word === "case") beginDepth += words.length > 1 ? 1 : 0;
          else if (word === "end" && beginDepth > 0) beginDepth--;
        }
      }
      token(i, j);
    } else if (c === QUOTE || c === DOUBLE_QUOTE) {
      token(i, skipQuoted(sql, i, c, false, lines));
    } else if (c === DOLLAR) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) {
          throw new SqlSplitError(`unterminated dollar-quoted string ${tag[0]}`, lineOf(lines, i));
        }
        token(i, close + tag[0].length);
      } else {
        token(i, i + 1);
      }
    } else if (c === SEMICOLON && parens === 0 && beginDepth === 0) {
      end();
      i++;
    } else {
      if (c === OPEN) parens++;
      else if (c === CLOSE && parens > 0) parens--;
      token(i, i + 1);
    }
  }
  end();
  return statements;
}

/** psql's test: CREATE [OR REPLACE] FUNCTION|PROCEDURE may hold BEGIN ATOMIC … END with semicolons inside. */
function isRoutine(words: readonly string[]): boolean {
  if (words[0] !== "create" || words.length < 2) return false;
  const kind = words[1] === "or" ? words[3] : words[1];
  return kind === "function" || kind === "procedure";
}

const DASH = 45;
const SLASH = 47;
const STAR = 42;
const QUOTE = 39;
const DOUBLE_QUOTE = 34;
const DOLLAR = 36;
const SEMICOLON = 59;
const OPEN = 40;
const CLOSE = 41;

function isWordStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 128;
}

function skipBlockComment(sql: string, i: number, lines: readonly number[]): number {
  const marks = /\/\*|\*\//g;
  marks.lastIndex = i;
  let depth = 0;
  for (let m = marks.exec(sql); m; m = marks.exec(sql)) {
    depth += m[0] === "/*" ? 1 : -1;
    if (depth === 0) return marks.lastIndex;
  }
  throw new SqlSplitError("unterminated /* comment", lineOf(lines, i));
}

function skipQuoted(
  sql: string,
  i: number,
  quote: number,
  backslashEscapes: boolean,
  lines: readonly number[],
): number {
  const q = String.fromCharCode(quote);
  let j = i + 1;
  for (;;) {
    const close = sql.indexOf(q, j);
    if (close < 0) break;
    if (backslashEscapes) {
      let backslashes = 0;
      for (let k = close - 1; k > i && sql.charCodeAt(k) === 92; k--) backslashes++;
      if (backslashes % 2 === 1) {
        j = close + 1;
        continue;
      }
    }
    if (sql.charCodeAt(close + 1) === quote) j = close + 2;
    else return close + 1;
  }
  const what = quote === QUOTE ? "string" : "quoted identifier";
  throw new SqlSplitError(`unterminated ${what}`, lineOf(lines, i));
}
