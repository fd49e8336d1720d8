// IAM database authentication (RDS): a role granted `rds_iam` may log in with IAM tokens only, and RDS
// applies that to every role that is a member of rds_iam, so granting it to a group would take the password
// path from the group's members too (RDS user guide, "Creating a database account using IAM authentication").
// IAM therefore gets its own LOGIN role per group: a member of the group (same privileges, starts its
// sessions as the group, same per-login limits), no password, and the only holder of rds_iam. It needs no
// rotation pair: there is no password.
import type { Client } from "pg";
import { resetRoleSettings } from "./bootstrap-hardening";
import { ident } from "./sql-text";

/** rds_iam exists on RDS only (the RDS extension `rds_tools` makes it; no community PostgreSQL has it). */
export const RDS_IAM_ROLE = "rds_iam";

export interface IamLoginSpec {
  /** The IAM login role, e.g. offthegrid_readonly_iam (the user name in the rds-db:connect resource). */
  readonly name: string;
  /** The group whose privileges it uses. */
  readonly group: string;
  /** The same per-login limits the group's password members get. */
  readonly limits: Readonly<Record<string, string>>;
}

export interface IamLoginScope {
  /** Every group the bootstrap manages, and every password member: none of them may hold rds_iam. */
  readonly groups: readonly string[];
  readonly members: readonly string[];
}

/**
 * Creates or heals the wanted IAM logins, and takes rds_iam back from anything else in scope: a group granted
 * it by an earlier version of this bootstrap, or an IAM login that is no longer wanted (which also loses
 * LOGIN). Where rds_iam does not exist (not RDS) the wanted logins exist but stay NOLOGIN, and a warning says
 * so.
 */
export async function ensureIamLogins(
  admin: Client,
  wanted: readonly IamLoginSpec[],
  scope: IamLoginScope,
  /** roleAttributes() of the admin running the bootstrap (bootstrap-admin.ts). */
  attributes: string,
  warnings: string[],
): Promise<void> {
  const { rowCount } = await admin.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", [
    RDS_IAM_ROLE,
  ]);
  const rdsIam = (rowCount ?? 0) > 0;
  if (rdsIam) await revokeStale(admin, wanted, scope);
  for (const login of wanted) {
    const role = ident(login.name);
    const { rowCount: exists } = await admin.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", [
      login.name,
    ]);
    if (!exists) await admin.query(`CREATE ROLE ${role} NOLOGIN`);
    // PASSWORD NULL: a password would be a second way in that IAM policies do not govern.
    await admin.query(
      `ALTER ROLE ${role} WITH ${rdsIam ? "LOGIN" : "NOLOGIN"} INHERIT ${attributes} PASSWORD NULL`,
    );
    await admin.query(`GRANT ${ident(login.group)} TO ${role}`);
    await resetRoleSettings(admin, login.name, login.limits, warnings, login.group);
    if (rdsIam) {
      await admin.query(`GRANT ${ident(RDS_IAM_ROLE)} TO ${role}`);
    } else {
      warnings.push(
        `${RDS_IAM_ROLE} does not exist on this server (it exists on RDS only): ${login.name} was created NOLOGIN ` +
          "and cannot authenticate here.",
      );
    }
  }
}

/**
 * Holders of rds_iam among the groups, their members and the groups' other direct members, minus the wanted.
 */
async function staleHolders(
  admin: Client,
  wanted: readonly IamLoginSpec[],
  scope: IamLoginScope,
): Promise<string[]> {
  const { rows } = await admin.query(
    `SELECT r.rolname
       FROM pg_catalog.pg_auth_members iam
       JOIN pg_catalog.pg_roles r ON r.oid = iam.member
      WHERE iam.roleid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1)
        AND (r.rolname = ANY($2) OR r.rolname = ANY($3) OR EXISTS (
              SELECT 1 FROM pg_catalog.pg_auth_members g JOIN pg_catalog.pg_roles gr ON gr.oid = g.roleid
               WHERE g.member = r.oid AND gr.rolname = ANY($2)))`,
    [RDS_IAM_ROLE, scope.groups, scope.members],
  );
  const keep = new Set(wanted.map((w) => w.name));
  return (rows as { rolname: string }[]).map((r) => r.rolname).filter((name) => !keep.has(name));
}

async function revokeStale(
  admin: Client,
  wanted: readonly IamLoginSpec[],
  scope: IamLoginScope,
): Promise<void> {
  const passwordRoles = new Set([...scope.groups, ...scope.members]);
  for (const name of await staleHolders(admin, wanted, scope)) {
    await admin.query(`REVOKE ${ident(RDS_IAM_ROLE)} FROM ${ident(name)}`);
    // An IAM login no longer wanted: no password, so nothing may log in as it any more.
    if (!passwordRoles.has(name)) await admin.query(`ALTER ROLE ${ident(name)} WITH NOLOGIN`);
  }
  // PostgreSQL 16+ only warns when the grant was made by another role, and keeps it: say so instead.
  const left = await staleHolders(admin, wanted, scope);
  if (left.length) {
    throw new Error(
      `${RDS_IAM_ROLE} is still granted to ${left.join(", ")} (the grant was made by another role): as that role, ` +
        `run REVOKE ${RDS_IAM_ROLE} FROM ${left.map((n) => ident(n)).join(", ")}; their password logins fail until then.`,
    );
  }
}
