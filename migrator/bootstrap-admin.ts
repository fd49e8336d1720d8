// Who runs the bootstrap decides what it may do to roles. A superuser (dev) may state every attribute. A
// non-superuser with CREATEROLE (the RDS master, a member of rds_superuser) may not even restate NOSUPERUSER,
// NOREPLICATION or NOBYPASSRLS in ALTER ROLE (PostgreSQL 15 and 17 both refuse it: "Only roles with the
// SUPERUSER attribute may change the SUPERUSER attribute"), and on PostgreSQL 16+ needs ADMIN OPTION on every
// role it alters or grants. It holds that implicitly on every role it created itself (the stack's roles,
// created by the first bootstrap), and PostgreSQL refuses to grant it back ("ADMIN option cannot be granted
// back to your own grantor").
import type { Client } from "pg";

export interface AdminReach {
  readonly name: string;
  readonly superuser: boolean;
  /** server_version_num, e.g. 170004. */
  readonly serverVersion: number;
}

export async function adminReach(admin: Client): Promise<AdminReach> {
  const { rows } = await admin.query(
    `SELECT current_user AS name, r.rolsuper AS superuser,
            pg_catalog.current_setting('server_version_num')::int AS version
       FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`,
  );
  return { name: rows[0].name, superuser: rows[0].superuser, serverVersion: rows[0].version };
}

/**
 * The attributes the bootstrap states on every stack role. A non-superuser cannot state the superuser-only
 * ones; checkRolesManageable makes sure instead that no stack role carries them.
 */
export function roleAttributes(reach: AdminReach): string {
  return reach.superuser ? "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION" : "NOCREATEDB NOCREATEROLE";
}

/**
 * For a non-superuser admin: refuses, naming each role and the fix, stack roles it could not manage (a
 * superuser-only attribute it cannot remove, or, on PostgreSQL 16+, no ADMIN OPTION because another role
 * created it).
 */
export async function checkRolesManageable(
  admin: Client,
  reach: AdminReach,
  roles: readonly string[],
): Promise<void> {
  if (reach.superuser || roles.length === 0) return;
  const { rows } = await admin.query(
    `SELECT rolname, rolsuper, rolreplication, rolbypassrls,
            ($2 < 160000 OR pg_catalog.pg_has_role(current_user, oid, 'MEMBER WITH ADMIN OPTION')) AS admin
       FROM pg_catalog.pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
    [roles, reach.serverVersion],
  );
  const problems: string[] = [];
  for (const r of rows) {
    const attributes = [
      r.rolsuper && "SUPERUSER",
      r.rolreplication && "REPLICATION",
      r.rolbypassrls && "BYPASSRLS",
    ].filter(Boolean);
    if (attributes.length)
      problems.push(`${r.rolname} has ${attributes.join(", ")} (only a superuser can remove it)`);
    if (!r.admin)
      problems.push(
        `${reach.name} has no ADMIN OPTION on ${r.rolname} (another role created it): as that role or a ` +
          `superuser, GRANT ${r.rolname} TO ${reach.name} WITH ADMIN OPTION`,
      );
  }
  if (problems.length)
    throw new Error(
      `The admin ${reach.name} is not a superuser and cannot manage the stack's roles: ${problems.join("; ")}.`,
    );
}
