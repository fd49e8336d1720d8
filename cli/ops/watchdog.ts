// `watchdog`: ends app and read-only sessions past the backstops in session-limits.ts. Runs as the admin (dev
// superuser; on RDS the master, whose rds_superuser membership may see every session and end any
// non-superuser one): the app and read-only roles cannot end each other's sessions, and the owner is not
// given that power. It reads catalog views only (schema-qualified, search_path pinned): no owner-written
// object is ever evaluated.
import type { Client } from "pg";
import { SCHEMA_ROLES } from "../../stack/credentials/roles";
import { ensurePinned } from "../../migrator/admin-session";
import { MIGRATION_LOCK_KEY } from "../../migrator/lock";
import { Overrun, SessionLimits, WatchedRole, WatchedSession, overruns } from "./session-limits";

export interface WatchdogResult {
  /** App and read-only client sessions seen. */
  readonly checked: number;
  readonly overruns: readonly (Overrun & { readonly ended: boolean; readonly error?: string })[];
}

const GROUPS: Readonly<Record<string, WatchedRole>> = {
  [SCHEMA_ROLES.app.name]: "app",
  [SCHEMA_ROLES.readonly.name]: "readonly",
};

/** A bigint advisory key as pg_locks shows it: high 32 bits in classid, low 32 in objid, objsubid 1. */
const LOCK_KEY = BigInt(MIGRATION_LOCK_KEY);

/** Client sessions whose login is a watched group or a direct member of one; superusers never. */
export async function watchedSessions(
  admin: Client,
  roles: readonly WatchedRole[] = ["app", "readonly"],
): Promise<WatchedSession[]> {
  const groups = Object.keys(GROUPS).filter((g) => roles.includes(GROUPS[g]));
  const { rows } = await admin.query(
    `SELECT a.pid, a.backend_start::text AS backend_start, u.rolname AS login, g.rolname AS grp, a.state,
            a.query_start::text AS query_start, a.state_change::text AS state_change,
            a.xact_start::text AS xact_start,
            pg_catalog.date_part('epoch', pg_catalog.now() - a.query_start)::float8 AS statement_s,
            pg_catalog.date_part('epoch', pg_catalog.now() - a.state_change)::float8 AS state_s,
            pg_catalog.date_part('epoch', pg_catalog.now() - a.xact_start)::float8 AS transaction_s,
            EXISTS (SELECT FROM pg_catalog.pg_locks l
                     WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                       AND l.database = a.datid AND a.datname = pg_catalog.current_database()
                       AND l.classid = $2::oid AND l.objid = $3::oid) AS migration_lock
       FROM pg_catalog.pg_stat_activity a
       JOIN pg_catalog.pg_roles u ON u.oid = a.usesysid
       JOIN pg_catalog.pg_roles g ON g.rolname = ANY($1::text[])
      WHERE a.backend_type = 'client backend' AND NOT u.rolsuper AND a.pid <> pg_catalog.pg_backend_pid()
        AND (u.oid = g.oid OR EXISTS (SELECT FROM pg_catalog.pg_auth_members m
                                       WHERE m.member = u.oid AND m.roleid = g.oid))`,
    [groups, String(LOCK_KEY >> 32n), String(LOCK_KEY & 0xffffffffn)],
  );
  return rows.map((r) => ({
    pid: r.pid,
    backendStart: r.backend_start,
    judgedOn: [r.query_start, r.state_change, r.xact_start] as const,
    user: r.login,
    role: GROUPS[r.grp],
    state: r.state,
    statementSeconds: r.statement_s,
    stateSeconds: r.state_s,
    transactionSeconds: r.transaction_s,
    holdsMigrationLock: r.migration_lock,
  }));
}

export async function runWatchdog(
  admin: Client,
  limits: Readonly<Record<WatchedRole, SessionLimits>>,
  options: { readonly dryRun: boolean; readonly roles?: readonly WatchedRole[] },
): Promise<WatchdogResult> {
  // The connection arrives pinned (adminConnection); a client from elsewhere is pinned here, before any
  // lookup.
  await ensurePinned(admin);
  const { rows: me } = await admin.query(
    "SELECT current_user AS login, pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS sees",
  );
  // Without it, pg_stat_activity hides other logins' state and times: every session would look harmless.
  if (!me[0].sees)
    throw new Error(
      `${me[0].login} cannot see other sessions' state in pg_stat_activity: run the watchdog as the admin ` +
        "(ADMIN_DATABASE_URL), or grant its login pg_monitor and pg_signal_backend.",
    );
  const sessions = await watchedSessions(admin, options.roles);
  const found = overruns(sessions, limits);
  const results: WatchdogResult["overruns"][number][] = [];
  for (const o of found) {
    if (options.dryRun) {
      results.push({ ...o, ended: false });
      continue;
    }
    try {
      results.push({ ...o, ended: await endSession(admin, o) });
    } catch (err) {
      const message = (err as Error).message;
      results.push({
        ...o,
        ended: false,
        error: `${message} (the watchdog's login needs pg_signal_backend; on RDS the master has it)`,
      });
    }
  }
  return { checked: sessions.length, overruns: results };
}

/**
 * Ends the backend `o` names if it is still as it was judged: the same pid and start time (not a later
 * backend reusing the pid), and the same statement, state and transaction start (not one whose long statement
 * or transaction finished between the read and now). Anything else is left for the next run to judge afresh.
 */
export async function endSession(admin: Client, o: Overrun): Promise<boolean> {
  const [queryStart, stateChange, xactStart] = o.judgedOn ?? [null, null, null];
  const { rows } = await admin.query(
    `SELECT pg_catalog.pg_terminate_backend(pid) AS ended FROM pg_catalog.pg_stat_activity
      WHERE pid = $1 AND backend_start = $2::timestamptz
        AND query_start IS NOT DISTINCT FROM $3::timestamptz
        AND state_change IS NOT DISTINCT FROM $4::timestamptz
        AND xact_start IS NOT DISTINCT FROM $5::timestamptz`,
    [o.pid, o.backendStart, queryStart, stateChange, xactStart],
  );
  return rows[0]?.ended === true;
}
