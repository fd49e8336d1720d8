// Public API of the migration engine. No Pulumi here: the dynamic provider and the CLI both call these.
export {
  BootstrapOptions,
  BootstrapReport,
  BootstrapRoles,
  IamLogin,
  bootstrap,
  setPasswordsUntracked,
} from "./bootstrap";
export { connectWithRetry, DatabaseUnavailable } from "./connect";
export {
  ADMIN_SEARCH_PATH,
  adminConnection,
  assertNotAdmin,
  connectAdmin,
  ensurePinned,
  isAdminLogin,
} from "./admin-session";
export { DEFAULT_HISTORY, readHistory } from "./history";
export { HistoryRelationError, historyRelationProblems, readVerifiedHistory } from "./history-relation";
export { MigrationLockTimeout } from "./lock";
export { Migration, MigrationFileError, parseMigration, parseMigrationBytes } from "./migration-file";
export { MigrationResumeError } from "./no-transaction";
export { MigrationLockLost } from "./session";
export { MigrationPlanError, PlannedRow } from "./plan";
export { preflightUp, recordedHistory } from "./preflight";
export {
  MigrationEvent,
  MigrationResult,
  MigrationResultSet,
  MigrationRunError,
  MigrationStatus,
  RUNNER_DEFAULTS,
  RunnerOptions,
  migrateDown,
  migrateUp,
  migrationStatus,
} from "./runner";
export { scramSha256Verifier } from "./scram";
export { loadSqlParser, loadSqlParserSync } from "./sql-parser";
export { ident, literal } from "./sql-text";
export { MigrationSource, loadMigrations, readMigrationDirectory } from "./sources";
export { SUM_FILE, renderSumFile, sumFileProblems, verifySumFile } from "./sum-file";
