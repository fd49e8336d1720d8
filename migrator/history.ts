// The history table: what ran, with which checksum, when, how long, by whom.
import type { ClientBase } from "pg";
import type { HistoryRow } from "./plan";
import { TableName, ident, qualified } from "./sql-text";

export const DEFAULT_HISTORY: TableName = { schema: "migrations", table: "history" };

/**
 * Appended to prefix_checksum while statement `statements_done + 1` of a no-transaction file is running, so a
 * run that died mid-statement is recognised (the column is free text; older runners read it as a changed file
 * and stop).
 */
export const RUNNING_MARK = " running";

/**
 * Creates the history table (and its schema when missing). CREATE SCHEMA IF NOT EXISTS would demand CREATE on
 * the database even when the schema exists, which the owner role deliberately lacks; the bootstrap creates
 * it.
 */
export async function ensureHistory(client: ClientBase, t: TableName): Promise<void> {
  const { rows } = await client.query("SELECT to_regnamespace($1) IS NOT NULL AS present", [ident(t.schema)]);
  if (!rows[0].present) await client.query(`CREATE SCHEMA ${ident(t.schema)}`);
  await client.query(createHistorySql(t));
}

function createHistorySql(t: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(t)} (
  version          integer PRIMARY KEY,
  name             text NOT NULL UNIQUE,
  checksum         text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
  status           text NOT NULL CHECK (status IN ('applied', 'partial')),
  execution_mode   text NOT NULL CHECK (execution_mode IN ('transaction', 'no-transaction')),
  statements_done  integer CHECK (statements_done >= 0),
  prefix_checksum  text,
  applied_at       timestamptz NOT NULL DEFAULT now(),
  duration_ms      integer CHECK (duration_ms >= 0),
  applied_by       text NOT NULL DEFAULT current_user
)`;
}

/** One round trip: an absent history table (42P01) means nothing has been applied yet. */
export async function readHistory(client: ClientBase, t: TableName): Promise<HistoryRow[]> {
  let rows;
  try {
    ({ rows } = await client.query(
      `SELECT version, name, checksum, status, statements_done, prefix_checksum, applied_at, duration_ms, applied_by
         FROM ${qualified(t)} ORDER BY version`,
    ));
  } catch (err) {
    if ((err as { code?: string }).code === "42P01" || (err as { code?: string }).code === "3F000") return [];
    throw err;
  }
  return rows.map((r) => ({
    version: r.version,
    name: r.name,
    checksum: r.checksum,
    status: r.status,
    statementsDone: r.statements_done,
    prefixChecksum: r.prefix_checksum?.replace(RUNNING_MARK, "") ?? null,
    inFlight: r.prefix_checksum?.endsWith(RUNNING_MARK) ?? false,
    appliedAt: r.applied_at,
    durationMs: r.duration_ms,
    appliedBy: r.applied_by,
  }));
}
