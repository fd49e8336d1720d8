// Server settings for the dev container, from the seed plus what the schema and ops tooling rely on.
// (Prod expresses the same intent as an RDS parameter group with instance-size formulas.)

export const POSTGRES_MAJOR = 17;

export const DEV_SERVER_SETTINGS: Readonly<Record<string, string>> = {
  max_connections: "100",
  // Slots only the migrator (the owner group) may take beyond superuser_reserved_connections' 3 for the
  // admin; the bootstrap sizes the app's and read-only logins' CONNECTION LIMITs from both
  // (migrator/bootstrap-connections.ts).
  reserved_connections: "5",
  shared_buffers: "256MB",
  effective_cache_size: "1GB",
  maintenance_work_mem: "64MB",
  work_mem: "4MB",
  log_min_duration_statement: "1000",
  password_encryption: "scram-sha-256",
  shared_preload_libraries: "pg_stat_statements",
  "pg_stat_statements.track": "all",
  // As the RDS parameter group (stack/postgres/rds-parameters.ts): utility statements (ALTER ROLE … PASSWORD)
  // untracked.
  "pg_stat_statements.track_utility": "off",
};

/** `postgres -c key=value …` arguments for the official image's command. */
export function serverArgs(settings: Readonly<Record<string, string>>): string[] {
  return ["postgres", ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
}
