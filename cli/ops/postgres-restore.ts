// `restore` of a PostgreSQL dump: checked against the target's stack marker before anything is dropped, and
// the marker is left exactly as it was (dumps exclude it, restore lists skip it, and the admin owns it).
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Client } from "pg";
import { pgClient } from "../shared/pg-client";
import { Confirmation, StackMarker, confirmDestructive, describeMarker, readMarker } from "./guards";
import { SCHEMA_ROLES } from "../../stack/credentials/roles";
import { setVerifiers } from "../../migrator/bootstrap-hardening";
import { monitoringStatements } from "../../migrator/bootstrap";
import { adminConnection, ensurePinned } from "../../migrator/admin-session";
import { pgRestore } from "./postgres-backup";
import { RestoreProgress, explainFailure } from "./restore-failure";
import {
  RESTORE_LOGIN_PREFIX,
  dropRestoreLoginSql,
  leaseRestoreLogin,
  sweepStaleRestoreLogins,
} from "../../migrator/restore-logins";

export interface RestoreOptions {
  /** --force: replace the objects of a non-empty database. */
  readonly force: boolean;
  /** --database NAME: required for any target not marked dev (and for an unmarked non-empty one). */
  readonly database?: string;
}

async function tablesInPublic(client: Client): Promise<number> {
  const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
  return rows[0].n;
}

/** What must hold before a restore may touch the target; throws the reason otherwise. */
export async function checkRestoreTarget(
  client: Client,
  options: RestoreOptions,
): Promise<StackMarker | undefined> {
  const tables = await tablesInPublic(client);
  const marker = await readMarker(client);
  const database: string = (await client.query("SELECT current_database() AS d")).rows[0].d;
  if (tables > 0 && !options.force)
    throw new Error(
      `Refusing to restore into a non-empty database (${tables} tables in public); pass --force to replace them.`,
    );
  const confirmation: Confirmation = { yes: true, database: options.database };
  // An empty dev or fresh (unmarked, empty) database takes a restore as before; anything else is named
  // explicitly.
  if (marker?.environment === "dev" || (!marker && tables === 0)) {
    if (options.database !== undefined) await confirmDestructive(client, "restore", confirmation);
    return marker;
  }
  if (options.database === undefined)
    throw new Error(
      `Refusing to restore into database ${database}: it is ${describeMarker(marker)}${tables > 0 ? ` and holds ${tables} tables` : ""}. ` +
        `To replace its contents anyway, name it: --database ${database}.`,
    );
  return confirmDestructive(client, "restore", confirmation);
}

export interface RestoreResult {
  readonly marker?: StackMarker;
  /** Temporary logins a crashed restore left behind, dropped before this one started. */
  readonly swept: string[];
  readonly warnings: string[];
}

export async function restorePostgres(
  adminUrl: string,
  file: string,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const config = adminConnection({ connectionString: adminUrl, application_name: "offthegrid-ops" });
  const connect = async () => {
    // A server that goes away fails the step in progress, not the process (pgClient listens for 'error').
    const client = pgClient(config);
    await client.connect();
    await ensurePinned(client);
    return client;
  };
  const read = async <T>(work: (c: Client) => Promise<T>): Promise<T> => {
    const client = await connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const { marker, tables, database } = await read(async (c) => ({
    marker: await checkRestoreTarget(c, options),
    tables: await tablesInPublic(c),
    database: (await c.query("SELECT current_database() AS d")).rows[0].d as string,
  }));
  // The lease session lives as long as this restore: its advisory lock tells every sweep the login is in use.
  const lease = await connect();
  const warnings: string[] = [];
  const loader = restoreLogin();
  const progress: RestoreProgress = { phase: "preparing", database, login: loader.name, loginDropped: false };
  try {
    const swept = await sweepStaleRestoreLogins(lease, OWNER_GROUP, warnings);
    await leaseRestoreLogin(lease, loader.name);
    await loadAsLogin(adminUrl, file, tables, loader, read, progress);
    const after = await read(readMarker);
    if (JSON.stringify(after) !== JSON.stringify(marker))
      throw new Error(
        `The restore changed the stack marker (${describeMarker(marker)} → ${describeMarker(after)}): check the dump's origin and rerun the stack's bootstrap (pulumi up).`,
      );
    return { marker, swept, warnings };
  } catch (err) {
    throw await explainFailure(err as Error, progress, read);
  } finally {
    await lease.end().catch(() => undefined);
  }
}

async function loadAsLogin(
  adminUrl: string,
  file: string,
  tables: number,
  loader: RestoreLogin,
  read: <T>(work: (c: Client) => Promise<T>) => Promise<T>,
  progress: RestoreProgress,
): Promise<void> {
  // The dump's CHECK constraints, defaults and index expressions call owner-defined functions while the data
  // loads; run as the admin they would run as superuser (the owner's function could ALTER ROLE itself
  // SUPERUSER). So the load logs in as a fresh non-superuser member of the owner group, not the admin with
  // --role (SET ROLE), which a dump's RESET ROLE / SET SESSION AUTHORIZATION would undo. Its password is
  // random, used once, dropped after.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-restore-"));
  try {
    await read(async (c) => {
      await c.query(createLoginSql(loader));
      // The password goes in as a SCRAM verifier through a bind parameter (setVerifiers), never in statement
      // text: pg_stat_activity shows that text to the read-only role, which could log in as this owner member
      // meanwhile.
      await c.query("BEGIN");
      try {
        await setVerifiers(c, { [loader.name]: loader.password });
        await c.query("COMMIT");
      } catch (err) {
        await c.query("ROLLBACK");
        throw err;
      }
      // CREATE SCHEMA (migrations) needs CREATE on the database, which the owner group does not hold.
      const db = (await c.query("SELECT current_database() AS db")).rows[0].db as string;
      await c.query(`GRANT CREATE ON DATABASE ${c.escapeIdentifier(db)} TO ${loader.name}`);
      // The stack bootstrap gives public to the owner group (migrator/bootstrap.ts); a fresh target's public
      // is still the database owner's, and the dump's ALTER SCHEMA public OWNER needs the current owner to
      // run it.
      await c.query(`ALTER SCHEMA public OWNER TO ${OWNER_GROUP}`);
      // The one extension the bootstrap creates, in its schema (migrator/bootstrap.ts), from its definition
      // rather than the dump's (dumps leave that schema out).
      for (const statement of monitoringStatements(SCHEMA_ROLES.readonly.name)) await c.query(statement);
    });
    progress.phase = "loading";
    await pgRestore(loginUrl(adminUrl, loader), file, {
      clean: tables > 0,
      listFile: path.join(work, "restore.list"),
      asNonSuperuser: true,
    });
    progress.phase = "loaded";
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    try {
      await read((c) => c.query(dropLoginSql(loader.name)));
      progress.loginDropped = true;
    } catch (err) {
      progress.dropError = err as Error;
    }
  }
  if (progress.dropError) throw progress.dropError;
}

/** The schema owner group the restore's objects belong to (stack/credentials/roles.ts). */
const OWNER_GROUP = SCHEMA_ROLES.owner.name;

export interface RestoreLogin {
  readonly name: string;
  readonly password: string;
}

export function restoreLogin(): RestoreLogin {
  return {
    name: `${RESTORE_LOGIN_PREFIX}${crypto.randomBytes(6).toString("hex")}`,
    password: crypto.randomBytes(24).toString("base64url"),
  };
}

/** A login with the owner group's privileges (inherited) and nothing an admin has. */
export function createLoginSql(login: RestoreLogin): string {
  return (
    `CREATE ROLE ${login.name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS ` +
    `CONNECTION LIMIT 2 VALID UNTIL '${new Date(Date.now() + 24 * 3600_000).toISOString()}' ` +
    `IN ROLE ${OWNER_GROUP}`
  );
}

/** Drops the login and hands what it still owns to the owner group (migrator/restore-logins.ts). */
export const dropLoginSql = (name: string): string => dropRestoreLoginSql(name, OWNER_GROUP);

/** The admin URL with the restore login's credentials in place of the admin's (same host, TLS settings). */
export function loginUrl(adminUrl: string, login: RestoreLogin): string {
  const url = new URL(adminUrl);
  url.username = login.name;
  url.password = login.password;
  return url.toString();
}
