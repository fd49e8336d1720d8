// The restore's temporary logins (cli/ops/postgres-restore.ts): a LOGIN member of the owner group with CREATE
// on the database, meant to live for one restore. A crash (server or CLI) can leave one behind, so every
// restore and every bootstrap sweeps them. A running restore holds a session advisory lock
// on its login's name for its whole life; a login nobody holds that lock for, or whose VALID UNTIL has
// passed, is stale. pg_locks shows every database's locks, so a bootstrap of one database never drops a login
// a restore elsewhere is using.
import type { Client } from "pg";
import { ident } from "./sql-text";

export const RESTORE_LOGIN_PREFIX = "offthegrid_restore_";
/**
 * The first key of the two-key advisory lock a restore holds (ASCII "otgr"); the second is hashtext(login).
 */
export const RESTORE_LEASE_CLASS = 0x6f746772;

/**
 * Takes the lease on `name` for the life of `session` (taken before the login exists: no window unleased).
 */
export async function leaseRestoreLogin(session: Client, name: string): Promise<void> {
  await session.query("SELECT pg_catalog.pg_advisory_lock($1::int4, pg_catalog.hashtext($2))", [
    RESTORE_LEASE_CLASS,
    name,
  ]);
}

/**
 * Drops what a login still owns here (to the owner group) and the login itself. REASSIGN OWNED and DROP OWNED
 * need the privileges of the login: a superuser has them, a non-superuser admin (the RDS master) does not
 * (PostgreSQL 16+ gives the creator of a role ADMIN on it, without INHERIT or SET; 15 gives a CREATEROLE role
 * nothing), so the admin takes the login's membership first (CREATEROLE on 15, ADMIN on 16+).
 */
export function dropRestoreLoginSql(name: string, ownerGroup: string): string {
  ident(name); // refuses anything but a plain identifier; restore logins are lower-case, so no quotes needed
  ident(ownerGroup);
  return `GRANT ${name} TO CURRENT_USER; REASSIGN OWNED BY ${name} TO ${ownerGroup}; DROP OWNED BY ${name}; DROP ROLE ${name}`;
}

/**
 * Drops every stale restore login (see above), ending its sessions first (an orphaned pg_restore would
 * otherwise keep loading). Returns the names dropped; a login that cannot be dropped is reported in
 * `warnings`, never thrown: the sweep must not stop the restore or bootstrap that runs it.
 */
export async function sweepStaleRestoreLogins(
  admin: Client,
  ownerGroup: string,
  warnings: string[],
): Promise<string[]> {
  let stale: string[];
  try {
    stale = await staleLogins(admin);
  } catch (err) {
    warnings.push(`Stale restore logins could not be looked up: ${(err as Error).message}`);
    return [];
  }
  const dropped: string[] = [];
  for (const rolname of stale) {
    try {
      await admin.query(
        "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1",
        [rolname],
      );
      await admin.query(dropRestoreLoginSql(rolname, ownerGroup));
      dropped.push(rolname);
    } catch (err) {
      warnings.push(
        `The stale restore login ${rolname} could not be dropped: ${(err as Error).message}. ` +
          `Drop it as the admin: ${dropRestoreLoginSql(rolname, ownerGroup)}`,
      );
    }
  }
  return dropped;
}

async function staleLogins(admin: Client): Promise<string[]> {
  const { rows } = await admin.query(
    `SELECT r.rolname
       FROM pg_catalog.pg_roles r
      WHERE r.rolname ~ $1
        AND (r.rolvaliduntil < now()
             OR NOT EXISTS (SELECT FROM pg_catalog.pg_locks l
                             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                               AND l.classid = $2::int4::oid AND l.objid = hashtext(r.rolname)::oid))`,
    [`^${RESTORE_LOGIN_PREFIX}[0-9a-f]+$`, RESTORE_LEASE_CLASS],
  );
  return rows.map((r: { rolname: string }) => r.rolname);
}
