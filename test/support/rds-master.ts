// A stand-in for the RDS master on real PostgreSQL: a login that is NOT a superuser, with CREATEROLE and
// CREATEDB (RDS's `CREATE ROLE postgres WITH LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE …`), member of a
// stand-in `rds_superuser` holding what the stack relies on: pg_monitor and pg_signal_backend, grantable (RDS
// documents that rds_superuser sees every session in pg_stat_activity and may end any with
// pg_terminate_backend). It owns the stack's database, as the master owns the one RDS creates. RDS lets
// rds_superuser create the extensions on its allow list; PostgreSQL does not let a non-superuser create
// pg_stat_statements, so the real superuser creates it beforehand, in the schema the master's bootstrap would
// (migrator/bootstrap.ts monitoringStatements). What RDS adds beyond PostgreSQL (e.g. rdsadmin owning
// pg_catalog) is not modelled.
import * as path from "node:path";
import type { Client, ClientConfig } from "pg";
import {
  BootstrapOptions,
  BootstrapReport,
  bootstrap,
  migrateUp,
  readMigrationDirectory,
} from "../../migrator";
import { TestPostgres, withClient } from "../../testbed/postgres";
import { ROOT } from "../../testbed/stack";
import { ROLE_PASSWORDS, stackBootstrapOptions } from "./prepared";

export const MASTER = "rds_master_standin";
export const MASTER_PASSWORD = "master-Pw-0123456789abcdefghij";

export interface RdsLikeDatabase {
  readonly name: string;
  readonly master: ClientConfig;
  readonly masterUrl: string;
  /** A schema role's login member `a`, like PreparedDatabase.as. */
  as(role: keyof typeof ROLE_PASSWORDS): ClientConfig;
  url(role: keyof typeof ROLE_PASSWORDS): string;
  bootstrap(options?: BootstrapOptions): Promise<BootstrapReport>;
}

/** Once per server: the master and its rds_superuser stand-in (roles are cluster-wide). */
export async function createMaster(pg: TestPostgres): Promise<void> {
  await withClient(pg.config(), async (c) => {
    await c.query("CREATE ROLE rds_superuser NOLOGIN");
    await c.query("GRANT pg_monitor, pg_signal_backend TO rds_superuser WITH ADMIN OPTION");
    await c.query(
      `CREATE ROLE ${MASTER} LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE PASSWORD '${MASTER_PASSWORD}' IN ROLE rds_superuser`,
    );
  });
}

/** A database owned by the master, bootstrapped by it (marker `environment`) and migrated by the owner. */
export async function rdsLikeDatabase(
  pg: TestPostgres,
  name: string,
  environment = "prod",
): Promise<RdsLikeDatabase> {
  const master = pg.config(name, { user: MASTER, password: MASTER_PASSWORD });
  await withClient(pg.config(), (c) => c.query(`CREATE DATABASE ${name} OWNER ${MASTER}`));
  // Where the master's bootstrap creates it: in the monitoring schema, which the master owns.
  await withClient(pg.config(name), (c) =>
    c.query(
      `CREATE SCHEMA monitoring AUTHORIZATION ${MASTER}; CREATE EXTENSION pg_stat_statements SCHEMA monitoring`,
    ),
  );
  const as = (role: keyof typeof ROLE_PASSWORDS) =>
    pg.config(name, { user: `offthegrid_${role}_a`, password: ROLE_PASSWORDS[role] });
  const url = (role: keyof typeof ROLE_PASSWORDS) => {
    const c = as(role);
    return `postgresql://${c.user}:${c.password}@127.0.0.1:${pg.port}/${name}`;
  };
  const db: RdsLikeDatabase = {
    name,
    master,
    masterUrl: `postgresql://${MASTER}:${MASTER_PASSWORD}@127.0.0.1:${pg.port}/${name}`,
    as,
    url,
    bootstrap: (options = stackBootstrapOptions(name, environment)) =>
      withClient(master, (c) => bootstrap(c as Client, options)),
  };
  await db.bootstrap();
  const { error } = await migrateUp({
    connection: as("owner"),
    migrations: readMigrationDirectory(path.join(ROOT, "sql")),
  });
  if (error) throw error;
  return db;
}
