// Reading the history table from a session that is more privileged than its owner (the ops CLI's admin after
// a restore). The owner can replace migrations.history with a view, give it rules or row security, or a
// column of a type with its own functions: reading it would then run owner-written code with the reader's
// rights, and a superuser reader hands the owner `ALTER ROLE … SUPERUSER`. So the relation is locked (it
// cannot be swapped while we look), verified from the catalog to be a plain table owned by the expected role
// with nothing that evaluates code on SELECT, and only then read — acting as the owner, so even a miss runs
// as the owner.
import type { ClientBase } from "pg";
import type { HistoryRow } from "./plan";
import { readHistory } from "./history";
import { TableName, ident, qualified } from "./sql-text";

export class HistoryRelationError extends Error {}

/**
 * What makes a relation unsafe to SELECT from as someone else; [] when it is a plain table owned by `owner`.
 */
export async function historyRelationProblems(
  client: ClientBase,
  t: TableName,
  owner: string,
): Promise<string[]> {
  const { rows } = await client.query(
    `SELECT c.relkind::text AS kind, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
            c.relrowsecurity AS rls, c.relhasrules AS rules,
            EXISTS (SELECT FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid) AS children,
            (SELECT pg_catalog.array_agg(a.attname::text) FROM pg_catalog.pg_attribute a
               JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                AND ty.typnamespace <> 'pg_catalog'::pg_catalog.regnamespace) AS foreign_typed
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [t.schema, t.table],
  );
  if (rows.length === 0) return [];
  const r = rows[0];
  const problems: string[] = [];
  if (r.kind !== "r") problems.push(`it is not a plain table (relkind ${r.kind})`);
  if (r.owner !== owner) problems.push(`it is owned by ${r.owner}, not ${owner}`);
  if (r.rls) problems.push("it has row-level security enabled");
  if (r.rules) problems.push("it has rewrite rules");
  if (r.children) problems.push("it has inheritance children");
  if (r.foreign_typed) problems.push(`columns ${r.foreign_typed.join(", ")} have types outside pg_catalog`);
  return problems;
}

/**
 * readHistory for a reader that is not the owner: in one read-only transaction, lock, verify, then read
 * acting as the owner. Throws HistoryRelationError (naming the table and what is wrong) instead of reading a
 * tampered one.
 */
export async function readVerifiedHistory(
  client: ClientBase,
  t: TableName,
  owner: string,
): Promise<HistoryRow[]> {
  await client.query("BEGIN READ ONLY");
  try {
    const { rows } = await client.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL AS present", [
      qualified(t),
    ]);
    if (rows[0].present) {
      // ACCESS SHARE blocks DROP / CREATE OR REPLACE / ALTER of the relation until we commit; locking a view
      // locks what it reads and evaluates nothing.
      await client.query(`LOCK TABLE ${qualified(t)} IN ACCESS SHARE MODE`);
      const problems = await historyRelationProblems(client, t, owner);
      if (problems.length > 0)
        throw new HistoryRelationError(
          `Refusing to read ${qualified(t)}: ${problems.join("; ")}. The history table must be the plain table ` +
            `the migrator created, owned by ${owner}; someone with the owner role changed it. Inspect it as the ` +
            "owner (never as a superuser) and restore it from a trusted backup.",
        );
      await client.query(`SET LOCAL ROLE ${ident(owner)}`);
    }
    const history = await readHistory(client, t);
    await client.query("COMMIT");
    return history;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}
