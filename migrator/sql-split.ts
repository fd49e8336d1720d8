// Splits SQL text into top-level statements, with the line each starts on. Understands '' and E'' strings,
// "quoted identifiers", $tag$ dollar quotes, -- and nested /* */ comments. Pure.
import { EngineError } from "./errors";

export interface Statement {
  /** The statement without its terminating semicolon, trimmed. */
  readonly text: string;
  /** 1-based line within the text given to splitSql where the statement's first token is. */
  readonly line: number;
}

export function splitSql(sql: string): Statement[] {
  const statements: Statement[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  // Lines are counted incrementally: recounting from the top for every statement made parsing quadratic.
  let countedTo = 0;
  let linesBefore = 0;

  const push = (end: number) => {
    const raw = sql.slice(start, end);
    const firstToken = firstTokenOffset(raw);
    if (firstToken >= 0) {
      linesBefore += countNewlines(sql, countedTo, start + firstToken);
      countedTo = start + firstToken;
      statements.push({ text: raw.slice(firstToken).trim(), line: 1 + linesBefore });
    }
  };

  while (i < n) {
    const c = sql.charCodeAt(i);
    const next = sql.charCodeAt(i + 1);
    if (c === DASH && next === DASH) {
      i = skipLineComment(sql, i);
    } else if (c === SLASH && next === STAR) {
      i = skipBlockComment(sql, i);
    } else if (c === QUOTE) {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]) && (i < 2 || !/[A-Za-z0-9_]/.test(sql[i - 2]));
      i = skipQuoted(sql, i, "'", escapes);
    } else if (c === DOUBLE_QUOTE) {
      i = skipQuoted(sql, i, '"', false);
    } else if (c === DOLLAR) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag && !(i > 0 && /[A-Za-z0-9_]/.test(sql[i - 1]))) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) throw new SqlSplitError(`unterminated dollar-quoted string ${tag[0]}`, lineAt(sql, i));
        i = close + tag[0].length;
      } else {
        i++;
      }
    } else if (c === SEMICOLON) {
      push(i);
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  push(n);
  return statements;
}

const DASH = 45;
const SLASH = 47;
const STAR = 42;
const QUOTE = 39;
const DOUBLE_QUOTE = 34;
const DOLLAR = 36;
const SEMICOLON = 59;

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

class SqlSplitError extends EngineError {
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super("SqlSplitError", `${reason} (line ${line})`);
  }
}

function skipLineComment(sql: string, i: number): number {
  const end = sql.indexOf("\n", i);
  return end < 0 ? sql.length : end + 1;
}

function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql[j] === "/" && sql[j + 1] === "*") {
      depth++;
      j += 2;
    } else if (sql[j] === "*" && sql[j + 1] === "/") {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else {
      j++;
    }
  }
  throw new SqlSplitError("unterminated /* comment", lineAt(sql, i));
}

function skipQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    if (backslashEscapes && sql[j] === "\\") {
      j += 2;
    } else if (sql[j] === quote) {
      if (sql[j + 1] === quote) j += 2;
      else return j + 1;
    } else {
      j++;
    }
  }
  throw new SqlSplitError(`unterminated ${quote === "'" ? "string" : "quoted identifier"}`, lineAt(sql, i));
}

/** Offset of the first character that is neither white space nor part of a comment; -1 if none. */
function firstTokenOffset(text: string): number {
  let i = 0;
  while (i < text.length) {
    if (isSpace(text.charCodeAt(i))) i++;
    else if (text.startsWith("--", i)) i = skipLineComment(text, i);
    else if (text.startsWith("/*", i)) i = skipBlockComment(text, i);
    else return i;
  }
  return -1;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) count++;
  return count;
}

function lineAt(text: string, offset: number): number {
  return 1 + countNewlines(text, 0, offset);
}
