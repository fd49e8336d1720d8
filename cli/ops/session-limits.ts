// The watchdog's backstops for app and read-only sessions, as pure logic. Their per-login limits
// (MEMBER_LIMITS in migrator/bootstrap-hardening.ts) are defaults: PostgreSQL 17 lets any session lift
// statement_timeout, idle_in_transaction_session_timeout and transaction_timeout for itself (SET, set_config,
// a startup option; test/adversarial/role-reach.test.ts), and nothing in PostgreSQL can pin a user-settable
// parameter. What no session can lift is being ended from outside: `offthegrid-db watchdog` ends the sessions
// past these.

export type WatchedRole = "app" | "readonly";

export interface SessionLimits {
  /** A statement running longer than this. */
  readonly statementSeconds: number;
  /** Idle inside an open transaction for longer than this (holds locks and the oldest snapshot). */
  readonly idleInTransactionSeconds: number;
  /** A transaction open longer than this, whatever it does. */
  readonly transactionSeconds: number;
}

/**
 * Above each member's own limit, so a session that kept its limits is never ended here (a unit test checks
 * it). The read-only role's are long because `backup` runs pg_dump as it, which lifts both timeouts for
 * itself and holds one transaction for the whole dump: the backstop must outlast the longest backup.
 */
export const WATCHDOG_LIMITS: Readonly<Record<WatchedRole, SessionLimits>> = {
  app: { statementSeconds: 120, idleInTransactionSeconds: 120, transactionSeconds: 600 },
  readonly: { statementSeconds: 3600, idleInTransactionSeconds: 120, transactionSeconds: 4 * 3600 },
};

/** One client session of an app or read-only login, as pg_stat_activity shows it (ages in seconds). */
export interface WatchedSession {
  readonly pid: number;
  /**
   * pg_stat_activity.backend_start as text: with the pid it names this backend, not a later one reusing the
   * pid.
   */
  readonly backendStart: string;
  /**
   * query_start, state_change and xact_start as text (null when unset): what the session was judged on. It is
   * ended only if none has moved since, so a statement or transaction that finished meanwhile is left alone.
   */
  readonly judgedOn?: readonly [string | null, string | null, string | null];
  readonly user: string;
  readonly role: WatchedRole;
  readonly state: string | null;
  readonly statementSeconds: number | null;
  readonly stateSeconds: number | null;
  readonly transactionSeconds: number | null;
  /**
   * Holds the migrator's advisory lock. Only the owner has a reason to; where the bootstrap could not revoke
   * the advisory-lock functions from PUBLIC (a non-superuser admin, e.g. RDS), any role can take the key and
   * stall every deploy for the lock deadline.
   */
  readonly holdsMigrationLock?: boolean;
}

export interface Overrun {
  readonly pid: number;
  readonly backendStart: string;
  readonly judgedOn?: WatchedSession["judgedOn"];
  readonly user: string;
  readonly role: WatchedRole;
  /** Which limit, e.g. "statement running 130.2 s (limit 120 s)". */
  readonly reason: string;
}

const over = (what: string, seconds: number | null, limit: number): string | undefined =>
  seconds !== null && seconds > limit ? `${what} ${seconds.toFixed(1)} s (limit ${limit} s)` : undefined;

/**
 * The sessions past their role's limits (or holding the migrator's lock), each with the first limit it broke.
 */
export function overruns(
  sessions: readonly WatchedSession[],
  limits: Readonly<Record<WatchedRole, SessionLimits>>,
): Overrun[] {
  const found: Overrun[] = [];
  for (const s of sessions) {
    const l = limits[s.role];
    const reason =
      (s.holdsMigrationLock ? "holds the migrator's advisory lock" : undefined) ??
      (s.state === "active"
        ? over("statement running", s.statementSeconds, l.statementSeconds)
        : undefined) ??
      (s.state?.startsWith("idle in transaction")
        ? over("idle in transaction for", s.stateSeconds, l.idleInTransactionSeconds)
        : undefined) ??
      over("transaction open for", s.transactionSeconds, l.transactionSeconds);
    if (reason)
      found.push({
        pid: s.pid,
        backendStart: s.backendStart,
        judgedOn: s.judgedOn,
        user: s.user,
        role: s.role,
        reason,
      });
  }
  return found;
}

/** The same limits for both roles where a flag overrides one of them. */
/** `role`'s limits with the given overrides; the other role keeps `base`. */
export function withOverrides(
  base: Readonly<Record<WatchedRole, SessionLimits>>,
  role: WatchedRole | undefined,
  overrides: Partial<SessionLimits>,
): Record<WatchedRole, SessionLimits> {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const limits = { app: { ...base.app }, readonly: { ...base.readonly } };
  if (role) limits[role] = { ...limits[role], ...defined };
  return limits;
}

export function describeLimits(l: SessionLimits): string {
  return `statement ${l.statementSeconds} s, idle in transaction ${l.idleInTransactionSeconds} s, transaction ${l.transactionSeconds} s`;
}
