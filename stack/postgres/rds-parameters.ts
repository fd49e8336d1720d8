// The RDS parameter group for the seed's tuning, as a pure function. RDS formulas ({DBInstanceClassMemory…})
// follow the instance class and RDS's own reserved memory, so they are used wherever RDS supports them; only
// the per-connection memory needs computing here, from max_connections and the class's memory.
import { type LogicalReplicationSettings, type RdsSettings, logicalReplication } from "./rds-settings";
import { POSTGRES_MAJOR } from "./settings";
import { instanceMemoryGiB } from "./instance-classes";
import type { Tags } from "../aws/tags";

export interface RdsParameter {
  readonly name: string;
  readonly value: string;
  /** Static parameters only take effect after a reboot, and RDS refuses `immediate` for them. */
  readonly applyMethod: "immediate" | "pending-reboot";
}

export const POSTGRES_FAMILY = "postgres17";

/**
 * As stack/postgres/settings.ts for dev: slots only the migrator and the master may take.
 */
export const RESERVED_CONNECTIONS = 5;

/**
 * work_mem in kB: a quarter of memory shared by every connection running ~2 sorts/hashes, within 4 MB–256 MB.
 */
export function workMemKb(memoryGiB: number, maxConnections: number): number {
  const kb = Math.floor((memoryGiB * 1024 * 1024 * 0.25) / (maxConnections * 2));
  return Math.min(Math.max(kb, 4096), 262144);
}

/** maintenance_work_mem in kB: 1/16 of memory, within 64 MB–2 GB (more buys nothing for VACUUM). */
export function maintenanceWorkMemKb(memoryGiB: number): number {
  const kb = Math.floor((memoryGiB * 1024 * 1024) / 16);
  return Math.min(Math.max(kb, 65536), 2097152);
}

export function postgresParameters(o: {
  instanceClass: string;
  maxConnections: number;
  /**
   * Blue/green deployments of RDS for PostgreSQL replicate logically (RDS user guide,
   * blue-green-deployments-creating).
   */
  logicalReplication?: boolean;
}): RdsParameter[] {
  const memoryGiB = instanceMemoryGiB(o.instanceClass);
  const reboot = (name: string, value: string): RdsParameter => ({
    name,
    value,
    applyMethod: "pending-reboot",
  });
  const now = (name: string, value: string): RdsParameter => ({ name, value, applyMethod: "immediate" });
  return [
    // 8 kB pages: DBInstanceClassMemory bytes / 32768 = 25 % of memory (RDS's own default expression).
    reboot("shared_buffers", "{DBInstanceClassMemory/32768}"),
    reboot("max_connections", String(o.maxConnections)),
    // For the migrator and the master (pg_use_reserved_connections, granted by the bootstrap): the app cannot
    // take them.
    reboot("reserved_connections", String(RESERVED_CONNECTIONS)),
    reboot("shared_preload_libraries", "pg_stat_statements"),
    ...(o.logicalReplication ? [reboot("rds.logical_replication", "1")] : []),
    // 8 kB pages: 75 % of memory.
    now("effective_cache_size", "{DBInstanceClassMemory/10923}"),
    now("work_mem", String(workMemKb(memoryGiB, o.maxConnections))),
    now("maintenance_work_mem", String(maintenanceWorkMemKb(memoryGiB))),
    now("log_min_duration_statement", "1000"),
    now("password_encryption", "scram-sha-256"),
    now("rds.force_ssl", "1"),
    now("pg_stat_statements.track", "all"),
    // With track = all, the ALTER ROLE … PASSWORD statements the bootstrap's DO block runs are recorded with
    // their verifiers, readable by the read-only role (pg_read_all_stats). The bootstrap switches this off
    // for its own transaction, but the RDS master may not (a superuser-only parameter): off for the server.
    now("pg_stat_statements.track_utility", "0"),
    now("log_lock_waits", "1"),
    now("idle_in_transaction_session_timeout", "600000"),
  ];
}

/** An rds.ParameterGroup's arguments for the seed's tuning (a cross-region replica adds its `region`). */
export interface PostgresParameterGroupArgs {
  readonly family: string;
  readonly description: string;
  readonly parameters: RdsParameter[];
  readonly tags: Tags;
}

/**
 * The primary's parameter group and a cross-region replica's (parameter groups are regional): the same
 * tuning, rds.force_ssl included. A changed description forces a new group (the provider cannot update one in
 * place): it names nothing that changes on a resize.
 */
export function postgresParameterGroupArgs(
  settings: Pick<RdsSettings, "instanceClass" | "maxConnections"> & LogicalReplicationSettings,
  tags: Tags,
): PostgresParameterGroupArgs {
  return {
    family: POSTGRES_FAMILY,
    description: `Off the Grid PostgreSQL ${POSTGRES_MAJOR} tuning`,
    parameters: postgresParameters({
      instanceClass: settings.instanceClass,
      maxConnections: settings.maxConnections,
      logicalReplication: logicalReplication(settings),
    }),
    tags,
  };
}
