// A database bootstrapped and migrated exactly as the SchemaMigrations provider does it.
import * as path from "node:path";
import { type Client, ClientConfig } from "pg";
import { SCHEMA_ROLES, memberName } from "../../stack/credentials/roles";
import type { Slot } from "../../stack/credentials/slots";
import { BootstrapOptions, bootstrap, migrateUp, readMigrationDirectory } from "../../migrator";
import { TestPostgres, withClient } from "../../testbed/postgres";
import { ROOT } from "../../testbed/stack";

export const ROLE_PASSWORDS = {
  owner: "owner-Pw-0123456789abcdefghij",
  app: "app-Pw-0123456789abcdefghijkl",
  readonly: "ro-Pw-0123456789abcdefghijklm",
};

export type RoleKey = keyof typeof ROLE_PASSWORDS | "admin";
type SchemaKey = keyof typeof ROLE_PASSWORDS;

/** Member `a` logs in with ROLE_PASSWORDS, member `b` with the same plus "-b" (both are current in tests). */
export function memberPassword(role: SchemaKey, slot: Slot): string {
  return slot === "a" ? ROLE_PASSWORDS[role] : `${ROLE_PASSWORDS[role]}-b`;
}

/** The bootstrap options the provider would pass for the stack's roles, with the test passwords. */
export function stackBootstrapOptions(database: string, environment = "dev"): BootstrapOptions {
  const keys = Object.keys(ROLE_PASSWORDS) as SchemaKey[];
  const members = (key: SchemaKey) =>
    (["a", "b"] as const).map((slot) => memberName(SCHEMA_ROLES[key].name, slot));
  return {
    database,
    roles: {
      owner: SCHEMA_ROLES.owner.name,
      app: SCHEMA_ROLES.app.name,
      readonly: SCHEMA_ROLES.readonly.name,
    },
    members: { owner: members("owner"), app: members("app"), readonly: members("readonly") },
    setPasswords: Object.fromEntries(
      keys.flatMap((key) =>
        (["a", "b"] as const).map((slot) => [
          memberName(SCHEMA_ROLES[key].name, slot),
          memberPassword(key, slot),
        ]),
      ),
    ),
    marker: { environment, stack: "test" },
  };
}

export interface PreparedDatabase {
  readonly name: string;
  as(role: RoleKey): ClientConfig;
  url(role: RoleKey): string;
  /** A schema role's login member by slot (`as(role)` is member a). */
  asMember(role: SchemaKey, slot: Slot): ClientConfig;
}

/**
 * A fresh database bootstrapped as the provider does it (roles, ownership, grants), nothing migrated yet: the
 * migration benchmarks time `up` from here, as the schema owner.
 */
export async function bootstrappedDatabase(
  pg: TestPostgres,
  prefix: string,
  environment = "dev",
): Promise<PreparedDatabase> {
  const name = await pg.createDatabase(prefix);
  await withClient(pg.config(name), (admin) =>
    bootstrap(admin as Client, stackBootstrapOptions(name, environment)),
  );
  const asMember = (role: SchemaKey, slot: Slot) =>
    pg.config(name, {
      user: memberName(SCHEMA_ROLES[role].name, slot),
      password: memberPassword(role, slot),
    });
  const as = (role: RoleKey) => (role === "admin" ? pg.config(name) : asMember(role, "a"));
  const url = (role: RoleKey) => {
    const c = as(role);
    return `postgresql://${c.user}:${c.password}@${c.host}:${c.port}/${c.database}`;
  };
  return { name, as, url, asMember };
}

export async function preparedDatabase(
  pg: TestPostgres,
  prefix: string,
  environment = "dev",
): Promise<PreparedDatabase> {
  const db = await bootstrappedDatabase(pg, prefix, environment);
  const { error } = await migrateUp({
    connection: db.as("owner"),
    migrations: readMigrationDirectory(path.join(ROOT, "sql")),
  });
  if (error) throw error;
  return db;
}
