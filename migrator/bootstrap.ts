// The privileged step, over the admin connection (dev superuser, RDS master): roles, their passwords,
// extensions that need privilege, schema ownership and default privileges, and the stack marker. Idempotent.
import type { Client } from "pg";
import {
  MEMBER_LIMITS,
  attempt,
  resetRoleSettings,
  revokeConnectElsewhere,
  revokePublicFunctions,
  setVerifiers,
} from "./bootstrap-hardening";
import { AdminReach, adminReach, checkRolesManageable, roleAttributes } from "./bootstrap-admin";
import { ensureIamLogins } from "./bootstrap-iam";
import { limitConnections } from "./bootstrap-connections";
import { pinnedFor } from "./admin-session";
import { sweepStaleRestoreLogins } from "./restore-logins";
import { ident, literal } from "./sql-text";

/**
 * pg_stat_statements' schema: owned by the admin, USAGE for the read-only group only (monitoringStatements).
 */
export const MONITORING_SCHEMA = "monitoring";

/**
 * The stack marker lives in a schema the admin owns, read-only to the schema owner: the owner role owns
 * `migrations` (and could drop and recreate anything in it), and destructive ops commands trust this marker.
 * Dumps leave this schema out, so a restore never carries another environment's marker along.
 */
export const MARKER_SCHEMA = "stack";
export const MARKER_TABLE = "marker";

/** The group roles: they hold the privileges and own the schema; nobody logs in as them. */
export interface BootstrapRoles {
  readonly owner: string;
  readonly app: string;
  readonly readonly: string;
}

export interface BootstrapOptions {
  readonly database: string;
  readonly roles: BootstrapRoles;
  /**
   * The LOGIN members of each group (the alternating pair, see stack/credentials/roles.ts). Each inherits the
   * group and starts its sessions as the group (`ALTER ROLE … SET role`), so what either member creates is
   * owned by the group and `current_user` names the logical role whichever member logged in.
   */
  readonly members: Readonly<Record<keyof BootstrapRoles, readonly string[]>>;
  /**
   * Groups that keep LOGIN and their password: a group that was itself the login role before the upgrade to
   * members (main's single-role bootstrap) stays valid for clients still holding it until its next rotation.
   */
  readonly legacyLogins?: readonly string[];
  /** Passwords to (re)set, by member name. Members not listed keep their password. */
  readonly setPasswords: Readonly<Record<string, string>>;
  /** Written to stack.marker; the ops CLI's destructive commands refuse databases not marked `dev`. */
  readonly marker: { readonly environment: string; readonly stack: string };
  readonly historySchema?: string;
  /**
   * IAM database authentication (RDS): one LOGIN role per entry, a member of that group with no password, the
   * only role granted rds_iam (migrator/bootstrap-iam.ts). Groups and password members never hold rds_iam.
   */
  readonly iamLogins?: readonly IamLogin[];
}

export interface IamLogin {
  readonly name: string;
  readonly role: keyof BootstrapRoles;
}

export interface BootstrapReport {
  /** Protections the server did not allow this admin (e.g. a non-superuser master), said plainly. */
  readonly warnings: string[];
  /** pg_stat_statements entries removed because their text held a password or verifier. */
  readonly scrubbedStatements: number;
}

/**
 * `ALTER ROLE … PASSWORD 'SCRAM-SHA-256$…'` would land verbatim in pg_stat_statements, which the read-only
 * role reads through pg_monitor: stop tracking utility statements for this transaction, and remove any entry
 * with a password that an earlier run (or an operator) left behind.
 */
export async function setPasswordsUntracked(
  admin: Client,
  passwords: Readonly<Record<string, string>>,
  warnings: string[],
): Promise<void> {
  if (Object.keys(passwords).length === 0) return;
  const untracked = await setLocal(admin, "pg_stat_statements.track_utility", "off");
  if (untracked) warnings.push(`pg_stat_statements.track_utility could not be switched off: ${untracked}`);
  const unlogged = await setLocal(admin, "log_statement", "none");
  if (unlogged) warnings.push(`log_statement could not be switched off for the password change: ${unlogged}`);
  // A slow statement is logged with its bind parameters: not these. Either setting suffices.
  const slowLogged = await setLocal(admin, "log_min_duration_statement", "-1");
  const parametersLogged = slowLogged && (await setLocal(admin, "log_parameter_max_length", "0"));
  if (parametersLogged)
    warnings.push(
      `log_min_duration_statement and log_parameter_max_length could not be set for the password change ` +
        `(${parametersLogged}): a statement slower than log_min_duration_statement is logged with its bind ` +
        "parameters, the verifiers among them. Set log_parameter_max_length = 0 in the server's parameters.",
    );
  await setVerifiers(admin, passwords);
}

/**
 * `SET LOCAL name = value` for this transaction. A non-superuser admin (RDS) may not set these; what matters
 * is only whether the setting is in force, so a refusal is reported (the reason) only when the server's own
 * value (the parameter group's) is not already `value`.
 */
async function setLocal(admin: Client, name: string, value: string): Promise<string | undefined> {
  const refused = await attempt(admin, `SET LOCAL ${name} = ${literal(value)}`);
  if (!refused) return undefined;
  const { rows } = await admin.query("SELECT pg_catalog.current_setting($1, true) AS v", [name]);
  return rows[0]?.v === value ? undefined : refused;
}

async function scrubPasswordStatements(admin: Client, warnings: string[]): Promise<number> {
  const schema = await extensionSchema(admin);
  if (schema !== MONITORING_SCHEMA) {
    // Anywhere else (public, the owner's) an owner-made overload of the reset function could win resolution.
    if (schema !== undefined)
      warnings.push(
        `pg_stat_statements lives in schema ${schema}, not ${MONITORING_SCHEMA}: its entries were not scrubbed of ` +
          `password statements. As its owner: ALTER EXTENSION pg_stat_statements SET SCHEMA ${MONITORING_SCHEMA}.`,
      );
    return 0;
  }
  await admin.query("SAVEPOINT bootstrap_scrub");
  try {
    // The pattern travels as a parameter, so this statement's own entry holds "$1", not the word.
    const { rows } = await admin.query(
      `SELECT pg_catalog.count(${MONITORING_SCHEMA}.pg_stat_statements_reset(s.userid, s.dbid, s.queryid))::int AS n
         FROM ${MONITORING_SCHEMA}.pg_stat_statements s WHERE s.query OPERATOR(pg_catalog.~*) $1`,
      ["\\mpassword\\M"],
    );
    await admin.query("RELEASE SAVEPOINT bootstrap_scrub");
    return rows[0].n;
  } catch (err) {
    await admin.query("ROLLBACK TO SAVEPOINT bootstrap_scrub");
    warnings.push(
      `pg_stat_statements could not be scrubbed of password statements: ${(err as Error).message}`,
    );
    return 0;
  }
}

/** The schema pg_stat_statements lives in, or undefined when it is not installed. */
export async function extensionSchema(admin: Client): Promise<string | undefined> {
  const { rows } = await admin.query(
    `SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname = 'pg_stat_statements'`,
  );
  return rows[0]?.nspname;
}

/**
 * pg_stat_statements lives in a schema the admin owns, readable by the read-only group only: the admin reads
 * and resets it, and in the owner's `public` any object the owner adds beside it could shadow its functions.
 * Stacks bootstrapped before this kept it in public; it moves (it is relocatable) on the next bootstrap.
 */
export function monitoringStatements(readonlyRole: string): string[] {
  const schema = ident(MONITORING_SCHEMA);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${schema}`,
    `ALTER SCHEMA ${schema} OWNER TO CURRENT_USER`,
    `REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${ident(readonlyRole)}`,
    `CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA ${schema}`,
  ];
}

/** monitoringStatements, then the move of an extension an earlier bootstrap created in public. */
export async function ensureMonitoring(
  admin: Client,
  readonlyRole: string,
  warnings: string[],
): Promise<void> {
  for (const statement of monitoringStatements(readonlyRole)) {
    const refused = await attempt(admin, statement);
    if (refused) warnings.push(`${statement} was refused: ${refused}`);
  }
  const schema = await extensionSchema(admin);
  if (schema === undefined || schema === MONITORING_SCHEMA) return;
  const refused = await attempt(
    admin,
    `ALTER EXTENSION pg_stat_statements SET SCHEMA ${ident(MONITORING_SCHEMA)}`,
  );
  if (refused)
    warnings.push(`pg_stat_statements could not move from ${schema} to ${MONITORING_SCHEMA}: ${refused}`);
}

function privilegeStatements(o: BootstrapOptions): string[] {
  const { owner, app, readonly } = o.roles;
  const [ow, ap, ro] = [ident(owner), ident(app), ident(readonly)];
  const history = ident(o.historySchema ?? "migrations");
  const db = ident(o.database);
  return [
    `REVOKE ALL ON DATABASE ${db} FROM PUBLIC`,
    `GRANT CONNECT ON DATABASE ${db} TO ${ow}, ${ap}, ${ro}`,
    // Temporary tables are how a caller shadows schema tables; only migrations (the owner) may want them.
    `GRANT TEMPORARY ON DATABASE ${db} TO ${ow}`,
    `REVOKE TEMPORARY ON DATABASE ${db} FROM ${ap}, ${ro}`,
    `GRANT pg_monitor TO ${ro}`,
    `ALTER SCHEMA public OWNER TO ${ow}`,
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    `GRANT USAGE ON SCHEMA public TO ${ap}, ${ro}`,
    `CREATE SCHEMA IF NOT EXISTS ${history} AUTHORIZATION ${ow}`,
    `ALTER SCHEMA ${history} OWNER TO ${ow}`,
    `GRANT USAGE ON SCHEMA ${history} TO ${ro}`,
    // Objects the owner creates later follow these rules: the app gets DML, read-only gets SELECT.
    // (EXECUTE on functions is withheld from PUBLIC by sql/003, which runs as the owner.)
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${ow} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${ap}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${ow} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${ap}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${ow} IN SCHEMA public GRANT SELECT ON TABLES TO ${ro}`,
    // pg_dump as the read-only role must read sequences too.
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${ow} IN SCHEMA public GRANT SELECT ON SEQUENCES TO ${ro}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${ow} IN SCHEMA ${history} GRANT SELECT ON TABLES TO ${ro}`,
    // …and what already exists (idempotent).
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${history} TO ${ro}`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ro}`,
    ...markerStatements(o),
  ];
}

function markerStatements(o: BootstrapOptions): string[] {
  const { owner, readonly } = o.roles;
  const schema = ident(MARKER_SCHEMA);
  const table = `${schema}.${ident(MARKER_TABLE)}`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${schema}`,
    // Whatever created it, the admin owns it: only the admin may change the marker or its schema.
    `ALTER SCHEMA ${schema} OWNER TO CURRENT_USER`,
    `REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${ident(owner)}, ${ident(readonly)}`,
    `CREATE TABLE IF NOT EXISTS ${table} (
       singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
       environment text NOT NULL, stack text NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`,
    `ALTER TABLE ${table} OWNER TO CURRENT_USER`,
    `REVOKE ALL ON ${table} FROM PUBLIC`,
    `GRANT SELECT ON ${table} TO ${ident(readonly)}, ${ident(owner)}`,
  ];
}

/**
 * Where earlier versions kept the marker: inside `migrations`, which the owner role owns. Whatever the owner
 * put at that name (a view, a table others depend on) may not make the bootstrap fail: dropped only when it
 * is a plain table, and a refusal is a warning.
 */
async function dropLegacyMarker(admin: Client, historySchema: string, warnings: string[]): Promise<void> {
  const { rows } = await admin.query(
    `SELECT c.relkind::text AS kind FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'stack_marker'`,
    [historySchema],
  );
  if (rows[0]?.kind !== "r") return;
  const statement = `DROP TABLE ${ident(historySchema)}.stack_marker`;
  const refused = await attempt(admin, statement);
  if (refused) warnings.push(`${statement} (a marker table earlier versions kept) was refused: ${refused}`);
}

const legacyGroup = (o: BootstrapOptions, key: keyof BootstrapRoles) =>
  (o.legacyLogins ?? []).includes(o.roles[key]);

const limitsOf = (key: keyof BootstrapRoles) => (key === "owner" ? {} : MEMBER_LIMITS[key]);

/**
 * Groups NOLOGIN (unless a legacy login), members LOGIN in the group. `PASSWORD NULL` retires a legacy group
 * login: from then on only the members authenticate.
 */
async function ensureRoles(
  admin: Client,
  o: BootstrapOptions,
  present: ReadonlySet<string>,
  reach: AdminReach,
  warnings: string[],
): Promise<void> {
  const attributes = roleAttributes(reach);
  const legacy = new Set(o.legacyLogins ?? []);
  for (const key of Object.keys(o.roles) as (keyof BootstrapRoles)[]) {
    const group = ident(o.roles[key]);
    if (!present.has(o.roles[key])) await admin.query(`CREATE ROLE ${group} NOLOGIN`);
    const login = legacy.has(o.roles[key]);
    const limits = limitsOf(key);
    await admin.query(`ALTER ROLE ${group} WITH ${login ? "LOGIN" : "NOLOGIN"} ${attributes}`);
    if (!legacy.has(o.roles[key])) await admin.query(`ALTER ROLE ${group} WITH PASSWORD NULL`);
    // A group that still logs in (a legacy login) carries its members' limits; any other keeps no settings at
    // all.
    await resetRoleSettings(admin, o.roles[key], login ? limits : {}, warnings);
    for (const name of o.members[key]) {
      const member = ident(name);
      if (!present.has(name)) await admin.query(`CREATE ROLE ${member} LOGIN`);
      await admin.query(`ALTER ROLE ${member} WITH LOGIN INHERIT ${attributes}`);
      await admin.query(`GRANT ${group} TO ${member}`);
      await resetRoleSettings(admin, name, limits, warnings, o.roles[key]);
    }
  }
}

export async function bootstrap(admin: Client, o: BootstrapOptions): Promise<BootstrapReport> {
  // Callers connect with connectAdmin; a client from elsewhere is pinned here, before its first lookup, and
  // gets its own search_path back afterwards.
  const restore = await pinnedFor(admin);
  try {
    return await bootstrapPinned(admin, o);
  } finally {
    await restore();
  }
}

async function bootstrapPinned(admin: Client, o: BootstrapOptions): Promise<BootstrapReport> {
  const { owner, app, readonly } = o.roles;
  const iamNames = (o.iamLogins ?? []).map((l) => l.name);
  const { rows: existing } = await admin.query("SELECT rolname FROM pg_roles WHERE rolname = ANY($1)", [
    [owner, app, readonly, ...Object.values(o.members).flat(), ...iamNames],
  ]);
  const reach = await adminReach(admin);
  const present = new Set<string>(existing.map((r) => r.rolname));
  const warnings: string[] = [];
  // Before the transaction: a crashed restore's temporary owner login (restore-logins.ts).
  await sweepStaleRestoreLogins(admin, owner, warnings);

  await admin.query("BEGIN");
  try {
    await checkRolesManageable(admin, reach, [...present]);
    await ensureRoles(admin, o, present, reach, warnings);
    await ensureIamLogins(
      admin,
      (o.iamLogins ?? []).map((l) => ({ name: l.name, group: o.roles[l.role], limits: limitsOf(l.role) })),
      { groups: Object.values(o.roles), members: Object.values(o.members).flat() },
      roleAttributes(reach),
      warnings,
    );
    const logins = (key: "app" | "readonly") => [
      ...(legacyGroup(o, key) ? [o.roles[key]] : []),
      ...o.members[key],
      ...(o.iamLogins ?? []).filter((l) => l.role === key).map((l) => l.name),
    ];
    await limitConnections(
      admin,
      { owner, app: logins("app"), readonly: logins("readonly"), superuserAdmin: reach.superuser },
      warnings,
    );
    await setPasswordsUntracked(admin, o.setPasswords, warnings);
    // RDS's master is not a superuser: it must be a member of the owner role to hand it objects.
    if (!reach.superuser) await admin.query(`GRANT ${ident(owner)} TO current_user`);
    for (const statement of privilegeStatements(o)) await admin.query(statement);
    await ensureMonitoring(admin, readonly, warnings);
    await dropLegacyMarker(admin, o.historySchema ?? "migrations", warnings);
    await revokeConnectElsewhere(admin, o.database, warnings);
    await revokePublicFunctions(admin, owner, warnings);
    await admin.query(
      `INSERT INTO ${ident(MARKER_SCHEMA)}.${ident(MARKER_TABLE)} (environment, stack) VALUES ($1, $2)
       ON CONFLICT (singleton) DO UPDATE SET environment = EXCLUDED.environment, stack = EXCLUDED.stack, written_at = now()`,
      [o.marker.environment, o.marker.stack],
    );
    const scrubbedStatements = await scrubPasswordStatements(admin, warnings);
    await admin.query("COMMIT");
    return { warnings, scrubbedStatements };
  } catch (err) {
    await admin.query("ROLLBACK").catch(() => undefined);
    throw new Error(`Bootstrap of database ${o.database} failed: ${(err as Error).message}`, { cause: err });
  }
}
