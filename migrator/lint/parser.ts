// PostgreSQL's own parser (libpg_query 17, compiled to WASM): loaded on first use only, because loading costs
// ~80 ms and a no-op `migrate up` or a preview with nothing to lint must not pay it.
import type * as LibPgQuery from "libpg-query";

/** A raw parse-tree node as libpg_query's JSON has it: `{ "IndexStmt": { … } }` and so on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ast = any;

export interface ParsedStatement {
  /** The statement node, e.g. { IndexStmt: { … } }. */
  readonly stmt: Ast;
  /** Character offsets in the parsed text of the statement (leading blanks and comments included). */
  readonly start: number;
  readonly end: number;
}

let loading: Promise<typeof LibPgQuery> | undefined;

export async function loadParser(): Promise<(sql: string) => ParsedStatement[]> {
  loading ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require("libpg-query") as typeof LibPgQuery;
    await lib.loadModule();
    return lib;
  })();
  const lib = await loading;
  return (sql) => statementsOf(sql, lib.parseSync(sql));
}

/** libpg_query reports byte offsets into the UTF-8 text; the engine works in string offsets. */
function statementsOf(
  sql: string,
  tree: { stmts?: { stmt: Ast; stmt_location?: number; stmt_len?: number }[] },
) {
  const bytes = Buffer.from(sql, "utf8");
  const ascii = bytes.length === sql.length;
  const offset = (byte: number) => (ascii ? byte : bytes.subarray(0, byte).toString("utf8").length);
  return (tree.stmts ?? []).map((s) => {
    const from = s.stmt_location ?? 0;
    const to = s.stmt_len ? from + s.stmt_len : bytes.length;
    return { stmt: s.stmt, start: offset(from), end: offset(to) };
  });
}
