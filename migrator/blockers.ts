// A lock timeout says only that the statement waited too long. Who held the lock is what the operator needs:
// the statement's relations come from PostgreSQL's parser, and pg_locks says which other sessions hold locks
// on them.
import type { Client } from "pg";
import { loadSqlParser } from "./sql-parser";

export interface Blocker {
  readonly pid: number;
  readonly role: string | null;
  readonly application: string | null;
  /**
   * Null when this role may not see it (pg_stat_activity hides other roles' timings without
   * pg_read_all_stats).
   */
  readonly since: Date | null;
  readonly mode: string;
  readonly relation: string;
}

/** Every relation the statement names, schema-qualified where it is (the RangeVars of its parse tree). */
export async function relationsOf(statement: string): Promise<string[]> {
  const lib = await loadSqlParser();
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      const o = node as Record<string, unknown>;
      // A RangeVar: wrapped ({RangeVar: …}) where a field takes any node, bare where the field is typed.
      const rv = o as { relname?: unknown; schemaname?: unknown };
      if (typeof rv.relname === "string")
        names.add(
          typeof rv.schemaname === "string"
            ? `${quote(rv.schemaname)}.${quote(rv.relname)}`
            : quote(rv.relname),
        );
      Object.values(o).forEach(walk);
    }
  };
  try {
    walk(lib.parseSync(statement));
  } catch {
    // A statement the runner sent has parsed once already; if not, there is simply nothing to name.
  }
  return [...names];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Other sessions holding locks on the statement's relations, the oldest transaction first. */
export async function findBlockers(client: Client, statement: string): Promise<Blocker[]> {
  const relations = await relationsOf(statement);
  if (relations.length === 0) return [];
  const { rows } = await client.query(
    `SELECT l.pid, a.usename, a.application_name, a.xact_start, l.mode, l.relation::regclass::text AS relation
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.granted AND l.locktype = 'relation' AND l.pid <> pg_backend_pid()
        AND l.relation IN (SELECT to_regclass(n) FROM unnest($1::text[]) AS n)
      ORDER BY a.xact_start NULLS LAST, l.pid
      LIMIT 5`,
    [relations],
  );
  return rows.map((r) => ({
    pid: r.pid,
    role: r.usename,
    application: r.application_name,
    since: r.xact_start,
    mode: r.mode,
    relation: r.relation,
  }));
}

/** One line per blocker, for the failure message. */
export function describeBlockers(blockers: readonly Blocker[], now = new Date()): string {
  if (blockers.length === 0)
    return "no session holds a lock on the statement's tables any more (the blocker has finished); rerun.";
  return blockers
    .map(
      (b) =>
        `backend pid ${b.pid} (role ${b.role ?? "not visible"}, application_name ${JSON.stringify(b.application ?? "")}, ` +
        (b.since
          ? `transaction open since ${b.since.toISOString()}, ${Math.round((now.getTime() - b.since.getTime()) / 1000)} s`
          : "transaction start not visible to this role") +
        `) holds ${b.mode} on ${b.relation}`,
    )
    .join("; ");
}
