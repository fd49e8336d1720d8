// PostgreSQL login roles the stack provisions. Names are fixed so app config and grants never drift per stack.
import type { CredentialName } from "../../config/types";

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

export const REDIS_USERS = { admin: "admin", app: "app" } as const;
