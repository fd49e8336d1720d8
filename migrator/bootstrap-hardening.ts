// What the bootstrap does beyond roles and grants so that a schema role cannot reach past its privileges:
// passwords set without their verifier in any statement text, per-login limits,
// CONNECT on the server's other databases, and functions PostgreSQL grants to PUBLIC that let any role write
// persistent data (large objects) or hold the migrator's lock (advisory locks).
import type { Client } from "pg";
import { scramSha256Verifier } from "./scram";
import { ident, literal } from "./sql-text";

/** Runs `sql` inside a savepoint; returns the error message instead of aborting the transaction. */
export async function attempt(
  admin: Client,
  sql: string,
  params: unknown[] = [],
): Promise<string | undefined> {
  await admin.query("SAVEPOINT bootstrap_attempt");
  try {
    await admin.query(sql, params);
    await admin.query("RELEASE SAVEPOINT bootstrap_attempt");
    return undefined;
  } catch (err) {
    await admin.query("ROLLBACK TO SAVEPOINT bootstrap_attempt");
    return (err as Error).message;
  }
}

/**
 * Per-login limits for the app and read-only members. Settings are applied at login from the *login* role's
 * `ALTER ROLE … SET` (and the database's), never from a group it belongs to, so each member carries them.
 * `temp_file_limit` is superuser-only: a member can neither SET nor ALTER ROLE it away. The other two are
 * defaults a session may lower or raise for itself (pg_dump sets both to 0; nothing in PostgreSQL 17 can pin
 * a user-settable parameter); they bound the careless, `offthegrid-db watchdog` ends the hostile from outside
 * (cli/ops/session-limits.ts), and the bootstrap puts them back on every run (see resetRoleSettings).
 */
export const MEMBER_LIMITS: Readonly<Record<"app" | "readonly", Readonly<Record<string, string>>>> = {
  app: { statement_timeout: "60s", idle_in_transaction_session_timeout: "60s", temp_file_limit: "256MB" },
  readonly: {
    statement_timeout: "5min",
    idle_in_transaction_session_timeout: "60s",
    temp_file_limit: "256MB",
  },
};

/**
 * A member may `RESET ROLE; ALTER ROLE <itself> SET work_mem = '2GB'` (PostgreSQL lets every role set its own
 * user-settable defaults, and nothing can forbid it), also `IN DATABASE <this one>` (which outranks the
 * role's own defaults and which `ALTER ROLE … RESET ALL` leaves alone), and acting as its group, on the group
 * (`ALTER ROLE offthegrid_app SET …`: current_user is the group). Every bootstrap clears all of them, in
 * every database, and writes back only the intended settings.
 */
export async function resetRoleSettings(
  admin: Client,
  role: string,
  settings: Readonly<Record<string, string>>,
  warnings: string[],
  /**
   * A member's group: its sessions start as the group (`SET role`), so what it creates belongs to the group.
   */
  actAs?: string,
): Promise<void> {
  const { rows } = await admin.query(
    `SELECT d.datname FROM pg_catalog.pg_db_role_setting s
       JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
       JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
      WHERE r.rolname = $1`,
    [role],
  );
  for (const { datname } of rows)
    await admin.query(`ALTER ROLE ${ident(role)} IN DATABASE ${ident(datname)} RESET ALL`);
  await admin.query(`ALTER ROLE ${ident(role)} RESET ALL`);
  if (actAs) await admin.query(`ALTER ROLE ${ident(role)} SET role = ${literal(actAs)}`);
  for (const [key, value] of Object.entries(settings)) {
    const refused = await attempt(admin, `ALTER ROLE ${ident(role)} SET ${ident(key)} = ${literal(value)}`);
    if (refused) warnings.push(`${key} could not be set for ${role}: ${refused}`);
  }
}

/**
 * `ALTER ROLE … PASSWORD` cannot take bind parameters, and its text is what pg_stat_activity shows to anyone
 * with pg_read_all_stats (the read-only role, through pg_monitor) while it runs and while the transaction
 * sits between statements. So the verifiers travel as one bind parameter into a transaction-local setting,
 * and a DO block (whose text holds no secret) builds the statements from it server-side; the setting is
 * emptied at once.
 */
export async function setVerifiers(
  admin: Client,
  passwords: Readonly<Record<string, string>>,
): Promise<void> {
  for (const role of Object.keys(passwords)) ident(role); // refuses a name that is no plain identifier
  const verifiers = Object.fromEntries(
    Object.entries(passwords).map(([role, password]) => [role, scramSha256Verifier(password)]),
  );
  await admin.query("SELECT pg_catalog.set_config('offthegrid.verifiers', $1, true)", [
    JSON.stringify(verifiers),
  ]);
  await admin.query(`DO $$
    DECLARE r record;
    BEGIN
      FOR r IN SELECT key, value
                 FROM pg_catalog.json_each_text(pg_catalog.current_setting('offthegrid.verifiers')::json) LOOP
        EXECUTE pg_catalog.format('ALTER ROLE %I WITH PASSWORD %L', r.key, r.value);
      END LOOP;
    END $$`);
  await admin.query("SELECT pg_catalog.set_config('offthegrid.verifiers', '', true)");
}

/**
 * Large-object writers: each creates or changes data that lives outside every table (and travels in dumps).
 */
const LARGE_OBJECT_WRITERS = [
  "lo_create(oid)",
  "lo_creat(integer)",
  "lo_from_bytea(oid, bytea)",
  "lo_put(oid, bigint, bytea)",
  "lowrite(integer, bytea)",
  "lo_truncate(integer, integer)",
  "lo_truncate64(integer, bigint)",
];

/** Every way to take an advisory lock: any role could hold the migrator's key and block deploys. */
const ADVISORY_LOCKERS = [
  "pg_advisory_lock",
  "pg_try_advisory_lock",
  "pg_advisory_xact_lock",
  "pg_try_advisory_xact_lock",
]
  .flatMap((f) => [f, `${f}_shared`])
  .flatMap((f) => [`${f}(bigint)`, `${f}(integer, integer)`]);

/** The one the migrator calls (lock.ts), granted back to the owner group. */
const MIGRATOR_LOCK = "pg_try_advisory_lock(bigint)";

/**
 * Statements run through `attempt`: a superuser may change the ACL of a catalog function in this database; a
 * non-superuser admin (an RDS master: rdsadmin owns pg_catalog) may not, and PostgreSQL answers its REVOKE
 * with a WARNING ("no privileges could be revoked"), not an error. So the outcome is read back from the ACL
 * afterwards (revokePublicFunctions) and a revocation that did not happen is a bootstrap warning.
 */
export function functionRevocations(owner: string): string[] {
  return [
    ...[...LARGE_OBJECT_WRITERS, ...ADVISORY_LOCKERS].map(
      (f) => `REVOKE EXECUTE ON FUNCTION pg_catalog.${f} FROM PUBLIC`,
    ),
    `GRANT EXECUTE ON FUNCTION pg_catalog.${MIGRATOR_LOCK} TO ${ident(owner)}`,
  ];
}

/**
 * CONNECT comes from PUBLIC on every database PostgreSQL creates: without this, the app may CONNECT to
 * `postgres`.
 */
export async function revokeConnectElsewhere(
  admin: Client,
  database: string,
  warnings: string[],
): Promise<void> {
  const { rows } = await admin.query(
    "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND datname = ANY($1) AND datname <> $2",
    [["postgres", "template1"], database],
  );
  for (const { datname } of rows) {
    // The admin keeps its own CONNECT (an RDS master is no superuser and may rely on PUBLIC's).
    const refused = await attempt(
      admin,
      `GRANT CONNECT ON DATABASE ${ident(datname)} TO CURRENT_USER; REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(datname)} FROM PUBLIC`,
    );
    if (refused) warnings.push(`CONNECT on database ${datname} could not be revoked from PUBLIC: ${refused}`);
    // A non-owner's REVOKE is only a WARNING ("no privileges could be revoked"): read the outcome back.
    const { rows: held } = await admin.query(
      `SELECT pg_catalog.has_database_privilege('public', $1, 'CONNECT')
           OR pg_catalog.has_database_privilege('public', $1, 'TEMPORARY') AS held`,
      [datname],
    );
    if (!refused && held[0].held)
      warnings.push(
        `CONNECT and TEMPORARY on database ${datname} are still granted to PUBLIC (this admin does not own it): ` +
          `the app and read-only logins can open sessions there. As its owner: REVOKE CONNECT, TEMPORARY ON ` +
          `DATABASE ${ident(datname)} FROM PUBLIC.`,
      );
  }
}

export async function revokePublicFunctions(admin: Client, owner: string, warnings: string[]): Promise<void> {
  for (const statement of functionRevocations(owner)) {
    const refused = await attempt(admin, statement);
    if (refused) warnings.push(`${statement} was refused: ${refused}`);
  }
  const { rows } = await admin.query(
    `SELECT f FROM pg_catalog.unnest($1::text[]) f
      WHERE pg_catalog.has_function_privilege('public', 'pg_catalog.' || f, 'EXECUTE')`,
    [[...LARGE_OBJECT_WRITERS, ...ADVISORY_LOCKERS]],
  );
  if (rows.length)
    warnings.push(
      `PUBLIC can still execute ${rows.length} catalog functions this admin may not revoke (it does not own ` +
        `pg_catalog): ${rows.map((r) => r.f).join(", ")}. The app and read-only roles can create large objects ` +
        "and hold any advisory lock, the migrator's included (a lock timeout names the holder; " +
        "`offthegrid-db watchdog` ends it).",
    );
}
