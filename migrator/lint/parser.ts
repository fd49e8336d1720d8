// PostgreSQL's parse trees for the lint, from the parser the statement splitter loads (../sql-parser.ts):
// loaded on first use only, so a run with nothing to lint does not wait for it.
import { loadSqlParser } from "../sql-parser";

/** A raw parse-tree node as libpg_query's JSON has it: `{ "IndexStmt": { … } }` and so on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ast = any;

/** The tree of one statement's text (the splitter's statements are the parser's: one each). */
export async function loadParser(): Promise<(sql: string) => Ast> {
  const lib = await loadSqlParser();
  return (sql) => (lib.parseSync(sql) as { stmts: { stmt: Ast }[] }).stmts[0].stmt;
}
