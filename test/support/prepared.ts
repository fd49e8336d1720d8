// A database bootstrapped and migrated exactly as the SchemaMigrations provider does it.
import * as path from "node:path";
import { Client, ClientConfig } from "pg";
import { SCHEMA_ROLES } from "../../lib/postgres/roles";
import { bootstrap, migrateUp, readMigrationDirectory } from "../../migrator";
import { TestPostgres, withClient } from "../../harness/postgres";
import { ROOT } from "../../harness/stack";

export const ROLE_PASSWORDS = {
  owner: "owner-Pw-0123456789abcdefghij",
  app: "app-Pw-0123456789abcdefghijkl",
  readonly: "ro-Pw-0123456789abcdefghijklm",
};

export type RoleKey = keyof typeof ROLE_PASSWORDS | "admin";

export interface PreparedDatabase {
  readonly name: string;
  as(role: RoleKey): ClientConfig;
  url(role: RoleKey): string;
}

export async function preparedDatabase(
  pg: TestPostgres,
  prefix: string,
  environment = "dev",
): Promise<PreparedDatabase> {
  const name = await pg.createDatabase(prefix);
  await withClient(pg.config(name), (admin) =>
    bootstrap(admin as Client, {
      database: name,
      roles: {
        owner: SCHEMA_ROLES.owner.name,
        app: SCHEMA_ROLES.app.name,
        readonly: SCHEMA_ROLES.readonly.name,
      },
      setPasswords: {
        [SCHEMA_ROLES.owner.name]: ROLE_PASSWORDS.owner,
        [SCHEMA_ROLES.app.name]: ROLE_PASSWORDS.app,
        [SCHEMA_ROLES.readonly.name]: ROLE_PASSWORDS.readonly,
      },
      marker: { environment, stack: "test" },
    }),
  );
  const as = (role: RoleKey) =>
    role === "admin"
      ? pg.config(name)
      : pg.config(name, { user: SCHEMA_ROLES[role].name, password: ROLE_PASSWORDS[role] });
  const url = (role: RoleKey) => {
    const c = as(role);
    return `postgresql://${c.user}:${c.password}@${c.host}:${c.port}/${c.database}`;
  };
  await migrateUp({ connection: as("owner"), migrations: readMigrationDirectory(path.join(ROOT, "sql")) });
  return { name, as, url };
}
