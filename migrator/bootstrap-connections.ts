// Connection slots: the app and read-only logins together can never take the slots the
// migrator and the admin need. Each app and read-only login gets a CONNECTION LIMIT computed from the
// server's own max_connections and reserved slots, and the owner group (the migrator) and a non-superuser
// admin (the RDS master) may use `reserved_connections` (PostgreSQL 16+: pg_use_reserved_connections); a
// superuser admin has `superuser_reserved_connections` already.
import type { Client } from "pg";
import { attempt } from "./bootstrap-hardening";
import { ident } from "./sql-text";

export interface ServerSlots {
  readonly maxConnections: number;
  readonly superuserReserved: number;
  /** reserved_connections (0 before PostgreSQL 16, or when unset). */
  readonly reserved: number;
}

export interface ConnectionLimits {
  /** Per app login (each member of the pair). */
  readonly app: number;
  /** Per read-only login (each member, and each IAM login). */
  readonly readonly: number;
}

/**
 * Ordinary slots are max_connections minus both reserves. The read-only logins (backups, ops CLI, dashboards)
 * get a tenth of them each, at least 2; the app logins share the rest. So every app and read-only login at
 * its limit at once still fits the ordinary slots: a backup is never locked out by the app, and neither
 * reaches a reserved slot. Exported for testing.
 */
export function connectionLimits(
  s: ServerSlots,
  logins: { readonly app: number; readonly readonly: number },
): ConnectionLimits {
  const ordinary = s.maxConnections - s.superuserReserved - s.reserved;
  const readonly = Math.max(2, Math.floor(ordinary / 10));
  const app = Math.floor((ordinary - readonly * logins.readonly) / Math.max(1, logins.app));
  if (app < 1)
    throw new Error(
      `max_connections ${s.maxConnections} leaves ${ordinary} ordinary slots (after ${s.superuserReserved} ` +
        `superuser-reserved and ${s.reserved} reserved): too few for ${logins.app} app and ${logins.readonly} ` +
        "read-only logins. Raise max_connections (postgresMaxConnections).",
    );
  return { app, readonly };
}

export async function serverSlots(admin: Client): Promise<ServerSlots> {
  const { rows } = await admin.query(
    `SELECT pg_catalog.current_setting('max_connections')::int AS max,
            pg_catalog.current_setting('superuser_reserved_connections')::int AS su,
            COALESCE(pg_catalog.current_setting('reserved_connections', true), '0')::int AS reserved`,
  );
  return { maxConnections: rows[0].max, superuserReserved: rows[0].su, reserved: rows[0].reserved };
}

export interface SlotRoles {
  readonly owner: string;
  /** Every login (and legacy-login group) of the app and of the read-only role, IAM logins included. */
  readonly app: readonly string[];
  readonly readonly: readonly string[];
  readonly superuserAdmin: boolean;
}

export async function limitConnections(
  admin: Client,
  roles: SlotRoles,
  warnings: string[],
): Promise<ConnectionLimits> {
  const slots = await serverSlots(admin);
  const limits = connectionLimits(slots, { app: roles.app.length, readonly: roles.readonly.length });
  for (const role of roles.app) await admin.query(`ALTER ROLE ${ident(role)} CONNECTION LIMIT ${limits.app}`);
  for (const role of roles.readonly)
    await admin.query(`ALTER ROLE ${ident(role)} CONNECTION LIMIT ${limits.readonly}`);
  if (slots.reserved === 0) {
    warnings.push(
      "reserved_connections is 0: the migrator has no slot the app and read-only logins cannot take (their " +
        "CONNECTION LIMITs still leave the rest free). Set reserved_connections (PostgreSQL 16+).",
    );
    return limits;
  }
  const grantees = [ident(roles.owner), ...(roles.superuserAdmin ? [] : ["CURRENT_USER"])];
  for (const grantee of grantees) {
    const refused = await attempt(admin, `GRANT pg_use_reserved_connections TO ${grantee}`);
    if (refused)
      warnings.push(
        `GRANT pg_use_reserved_connections TO ${grantee} was refused: ${refused}. Once the app holds every ` +
          "ordinary slot, that role cannot connect.",
      );
  }
  return limits;
}
