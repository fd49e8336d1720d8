// Wires SchemaMigrations to whichever stores the environment provisioned.
import * as pulumi from "@pulumi/pulumi";
import type { CredentialName, StackConfig } from "../config/types";
import type { DataStoreEndpoints } from "../endpoints";
import { ADMIN_ROLE, SCHEMA_ROLES, loginPair } from "../credentials/roles";
import {
  loadMigrations,
  MigrationSource,
  readMigrationDirectory,
  SUM_FILE,
  sumFileProblems,
} from "../../migrator";
import { SchemaMigrations } from "./schema-migrations";

/** Reads sql/ and refuses to deploy files that sql/migrations.sum does not vouch for. */
export function readSchemaSources(dir: string): MigrationSource[] {
  const sources = readMigrationDirectory(dir);
  const problems = sumFileProblems(dir, loadMigrations(sources));
  if (problems.length > 0)
    throw new Error(`Migrations in ${dir} do not match ${SUM_FILE}:\n  - ${problems.join("\n  - ")}`);
  return sources;
}

export function stackSchema(
  config: StackConfig,
  endpoints: DataStoreEndpoints,
  passwords: Readonly<Record<CredentialName, pulumi.Output<string>>>,
  previousPasswords: Readonly<Partial<Record<CredentialName, pulumi.Output<string>>>>,
  migrations: readonly MigrationSource[],
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
