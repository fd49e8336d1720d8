// PostgreSQL roles the stack provisions. Names are fixed so app config and grants never drift per stack. Each
// schema role is a NOLOGIN group that holds the privileges (and owns the schema), with two LOGIN members that
// alternate on rotation: `<group>_a` and `<group>_b`. Grants, migrations and the privilege matrix name the
// group only, so the pair is invisible to everything but authentication.
import type { CredentialName } from "./credential-names";
import { Slot, otherSlot, slotGenerations } from "./slots";

export interface RoleSpec {
  readonly name: string;
  readonly credential: CredentialName;
  readonly purpose: string;
}

export const ADMIN_ROLE: RoleSpec = {
  name: "postgres",
  credential: "postgresAdmin",
  purpose: "superuser in dev, RDS master in AWS; runs only the bootstrap (roles, extensions)",
};

export const SCHEMA_ROLES = {
  owner: {
    name: "offthegrid_owner",
    credential: "postgresOwner",
    purpose: "owns the schema; runs migrations",
  },
  app: {
    name: "offthegrid_app",
    credential: "postgresApp",
    purpose: "application: DML on app tables, no DDL",
  },
  readonly: {
    name: "offthegrid_readonly",
    credential: "postgresReadonly",
    purpose: "read-only: SELECT plus pg_monitor for the ops CLI",
  },
} as const satisfies Record<string, RoleSpec>;

export type SchemaRoleKey = keyof typeof SCHEMA_ROLES;

/**
 * IAM database authentication (postgresIamAuth): its own LOGIN role, a member of the read-only group with no
 * password and the only holder of rds_iam. RDS makes a role granted rds_iam log in with IAM tokens only, so
 * the group and its password members must never hold it (migrator/bootstrap-iam.ts).
 */
export const IAM_LOGINS = [
  { name: "offthegrid_readonly_iam", role: "readonly" },
] as const satisfies readonly {
  name: string;
  role: SchemaRoleKey;
}[];

/** The LOGIN member of `group` for a slot: offthegrid_app → offthegrid_app_a / offthegrid_app_b. */
export function memberName(group: string, slot: Slot): string {
  return `${group}_${slot}`;
}

export interface LoginPair {
  /** The member the stack outputs and secrets carry after this epoch. */
  readonly current: string;
  /** The member of the epoch before: its password is unchanged, so clients still holding it keep working. */
  readonly previous: string;
}

/** Which member is current at `epoch`: the slot whose password this epoch regenerated. */
export function loginPair(group: string, epoch: number): LoginPair {
  const current = slotGenerations(epoch).current;
  return { current: memberName(group, current), previous: memberName(group, otherSlot(current)) };
}

export const REDIS_USERS = { admin: "admin", app: "app" } as const;
