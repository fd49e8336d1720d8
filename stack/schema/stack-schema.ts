// Wires SchemaMigrations to whichever stores the environment provisioned.
import * as pulumi from "@pulumi/pulumi";
import type { CredentialName, StackConfig } from "../config/types";
import type { DataStoreEndpoints } from "../endpoints";
import { ADMIN_ROLE, SCHEMA_ROLES, loginPair } from "../credentials/roles";
import * as path from "node:path";
import { loadMigrations, readMigrationDirectory, SUM_FILE, sumFileProblems } from "../../migrator";
import { SchemaMigrations, SchemaSources } from "./schema-migrations";

/**
 * Reads sql/ and refuses to deploy files that sql/migrations.sum does not vouch for, or that do not parse. A
 * RunError, which the language host prints as its message alone (anything else arrives as an "unhandled
 * exception" with a stack trace); preview and up both run the program, so both refuse here alike.
 */
export function readSchemaSources(dir: string): SchemaSources {
  const shown = path.relative(process.cwd(), dir);
  // The provider host's working directory is the project root, as the program's: a relative name stays valid
  // for another checkout of the same project and never shows as a change.
  const directory = shown === "" || shown.startsWith("..") || path.isAbsolute(shown) ? dir : shown;
  let problems: string[];
  let files;
  try {
    files = loadMigrations(readMigrationDirectory(dir));
    problems = sumFileProblems(dir, files);
  } catch (err) {
    throw new pulumi.RunError(`Migrations in ${directory}/: ${(err as Error).message}`, { cause: err });
  }
  if (problems.length > 0)
    throw new pulumi.RunError(
      `Migrations in ${directory}/ do not match ${SUM_FILE}:\n  - ${problems.join("\n  - ")}`,
    );
  return { directory, files };
}

export function stackSchema(
  config: StackConfig,
  endpoints: DataStoreEndpoints,
  passwords: Readonly<Record<CredentialName, pulumi.Output<string>>>,
  previousPasswords: Readonly<Partial<Record<CredentialName, pulumi.Output<string>>>>,
  migrations: SchemaSources,
): SchemaMigrations {
  // Both members every time: the bootstrap keeps the previous one's login (same password) beside the new one.
  const role = (r: (typeof SCHEMA_ROLES)[keyof typeof SCHEMA_ROLES]) => {
    const epoch = config.rotation[r.credential];
    const pair = loginPair(r.name, epoch);
    return {
      group: r.name,
      epoch,
      current: { name: pair.current, password: passwords[r.credential] },
      previous: { name: pair.previous, password: previousPasswords[r.credential]! },
    };
  };
  const pg = endpoints.postgres;
  return new SchemaMigrations(
    "schema",
    {
      connection: pulumi.output({
        host: endpoints.schemaTarget.host,
        port: endpoints.schemaTarget.port,
        tlsServerName: endpoints.schemaTarget.tlsServerName,
        database: pg.database,
        sslmode: pg.sslmode,
        caCert: pg.caCert,
      }),
      admin: {
        user: ADMIN_ROLE.name,
        password: endpoints.adminPassword ?? passwords[ADMIN_ROLE.credential],
        managePassword: config.platform === "docker",
      },
      roles: {
        owner: role(SCHEMA_ROLES.owner),
        app: role(SCHEMA_ROLES.app),
        readonly: role(SCHEMA_ROLES.readonly),
      },
      migrations,
      marker: { environment: config.environment, stack: config.stack },
      iamLogins: endpoints.iamLogins,
    },
    { dependsOn: endpoints.postgresReady },
  );
}
