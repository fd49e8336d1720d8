// What a failed non-atomic statement (concurrent-statement.ts) left behind, and removing exactly that. "Its
// own" is decided against the catalog as it was when the statement started: an index counts only if it did
// not exist then, is INVALID now, and no other session is building it. An index that existed before is never
// dropped.
import type { Client } from "pg";
import type { ConcurrentKind, Rel } from "./concurrent-statement";

/** The catalog when the statement started. */
export interface Before {
  readonly indexes: readonly string[];
  readonly names: readonly string[];
  readonly pendingDetach: boolean;
}

export interface Leftover {
  /** Schema-qualified and quoted by the server (format %I.%I). */
  readonly name: string;
  readonly state: "invalid-index" | "pending-detach";
  /** The statement that removes it (an index) or finishes it (a pending detach). */
  readonly fix: string;
  /** Set when the runner removed it; otherwise why it is still there. */
  readonly dropped?: boolean;
  readonly keptBecause?: string;
}

/** Cleanup gets this long at most (or the statement's own timeout when shorter). */
export const CLEANUP_TIMEOUT_MS = 30_000;

const regclass = (r: Rel) => [r.schema ?? null, r.name];
const REGCLASS = (a: number) =>
  `to_regclass(CASE WHEN $${a}::text IS NULL THEN quote_ident($${a + 1}) ELSE format('%I.%I', $${a}, $${a + 1}) END)`;

/** The statement that finishes a detach left pending (by this statement or an earlier run of it). */
export async function finishDetach(
  client: Client,
  k: ConcurrentKind,
  before: Before,
): Promise<string | undefined> {
  if (k.kind !== "detach-partition" || !before.pendingDetach) return undefined;
  return (await clearLeftovers(client, k, { ...before, pendingDetach: false }, 0))[0]?.fix;
}

export async function snapshot(client: Client, k: ConcurrentKind): Promise<Before> {
  // Oids and names: a reindex's swap gives the old index (an oid that existed) a new name, <index>_ccold.
  const { rows } = await client.query(
    `SELECT coalesce(array_agg(i.indexrelid::text), '{}') AS indexes, coalesce(array_agg(c.relname::text), '{}') AS names
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid`,
  );
  return { indexes: rows[0].indexes, names: rows[0].names, pendingDetach: await pendingDetach(client, k) };
}

async function pendingDetach(client: Client, k: ConcurrentKind): Promise<boolean> {
  if (k.kind !== "detach-partition") return false;
  const { rows } = await client.query(
    `SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = ${REGCLASS(1)} AND inhparent = ${REGCLASS(3)}`,
    [...regclass(k.partition), ...regclass(k.parent)],
  );
  return rows[0]?.inhdetachpending === true;
}

/**
 * Is another session building an index on `table` (or anywhere, when undefined)? Rows of other roles'
 * sessions show no relation to a non-superuser, so those count as "maybe".
 */
export async function othersBuilding(client: Client, table?: Rel): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT 1 FROM pg_stat_progress_create_index
      WHERE pid <> pg_backend_pid() ${table ? `AND (relid IS NULL OR relid = ${REGCLASS(1)})` : ""} LIMIT 1`,
    table ? regclass(table) : [],
  );
  return rows.length > 0;
}

/** The INVALID indexes the statement created since `before` (its own, by the rules above). */
async function newInvalidIndexes(client: Client, k: ConcurrentKind, before: Before): Promise<string[]> {
  if (k.kind !== "create-index" && k.kind !== "reindex") return [];
  const [filter, params] =
    k.kind === "reindex"
      ? // A new copy, or an old index the swap renamed (a name that did not exist).
        [
          "c.relname ~ '_cc(new|old)[0-9]*$' AND (NOT (i.indexrelid::text = ANY($1::text[])) OR NOT (c.relname::text = ANY($2::text[])))",
          [before.indexes, before.names],
        ]
      : [
          `NOT (i.indexrelid::text = ANY($1::text[])) AND ${k.index ? "i.indexrelid" : "i.indrelid"} = ${REGCLASS(2)}`,
          [before.indexes, ...regclass(k.index ?? k.table)],
        ];
  const { rows } = await client.query(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT i.indisvalid AND ${filter}
      ORDER BY c.oid`,
    params,
  );
  return rows.map((r) => r.name);
}

/**
 * After the statement failed: finds what it left, drops its own INVALID indexes (DROP INDEX CONCURRENTLY IF
 * EXISTS of the exact name, bounded by `timeoutMs`), and returns everything that was there, dropped or not.
 */
export async function clearLeftovers(
  client: Client,
  k: ConcurrentKind,
  before: Before,
  timeoutMs: number,
): Promise<Leftover[]> {
  if (k.kind === "detach-partition") {
    if (before.pendingDetach || !(await pendingDetach(client, k))) return [];
    const { rows } = await client.query(
      `SELECT format('%I.%I', n.nspname, c.relname) AS part, format('%I.%I', pn.nspname, p.relname) AS parent
         FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_class p ON p.oid = h.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
        WHERE h.inhrelid = ${REGCLASS(1)}`,
      regclass(k.partition),
    );
    return [
      {
        name: rows[0].part,
        state: "pending-detach",
        fix: `ALTER TABLE ${rows[0].parent} DETACH PARTITION ${rows[0].part} FINALIZE`,
        keptBecause: "a pending detach can only be finished, not undone",
      },
    ];
  }
  if (k.kind === "drop-index") {
    const { rows } = await client.query(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.indexrelid = ${REGCLASS(1)} AND NOT i.indisvalid`,
      regclass(k.indexes[0] ?? { name: "" }),
    );
    return rows.map((r) => ({
      name: r.name,
      state: "invalid-index" as const,
      fix: `DROP INDEX CONCURRENTLY IF EXISTS ${r.name}`,
      keptBecause: "it is the index this statement drops: running the statement again finishes the drop",
    }));
  }
  const found = await newInvalidIndexes(client, k, before);
  if (found.length === 0) return [];
  const busy = await othersBuilding(client, k.kind === "create-index" ? k.table : undefined);
  const left: Leftover[] = [];
  for (const name of found) {
    const fix = `DROP INDEX CONCURRENTLY IF EXISTS ${name}`;
    if (busy) {
      left.push({
        name,
        state: "invalid-index",
        fix,
        keptBecause: "another session is building an index there",
      });
      continue;
    }
    try {
      await client.query(
        `SET lock_timeout = 0; SET statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`,
      );
      await client.query(fix);
      left.push({ name, state: "invalid-index", fix, dropped: true });
    } catch (err) {
      left.push({
        name,
        state: "invalid-index",
        fix,
        keptBecause: `dropping it failed: ${(err as Error).message}`,
      });
    }
  }
  return left;
}

/** One sentence per leftover for the failure message: exactly what exists now. */
export function describeLeftovers(statementNo: number, left: readonly Leftover[]): string {
  if (left.length === 0) return "";
  return left
    .map((l) =>
      l.dropped
        ? `Statement ${statementNo} left index ${l.name} INVALID; the runner dropped it (${l.fix}).`
        : l.state === "pending-detach"
          ? `Partition ${l.name} is left pending detach (${l.keptBecause}); finish it with: ${l.fix};`
          : `Index ${l.name} is left INVALID (${l.keptBecause}); to remove it: ${l.fix};`,
    )
    .join(" ");
}
