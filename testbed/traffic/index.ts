// The traffic harness as a library: run the app's access patterns around any event and get the report.
//   const traffic = start({ targets: targetsFromOutputs(outputs) });
//   …rotate, migrate, restart…
//   const report = await traffic.stop();   // report.stores.postgres.failures, report.writes.lost, …
export {
  start,
  resolveOptions,
  operationsFor,
  OptionError,
  type Traffic,
  type TrafficOptions,
} from "./runner";
export { verifyLedger, type Verification } from "./verify";
export {
  Ledger,
  judge,
  judgeDuplicates,
  type WriteRecord,
  type Expectation,
  type LostWrite,
  type DuplicateWrite,
} from "./ledger";
export {
  CLIENT_PROFILES,
  APP_DEADLINE_MS,
  classifyRedisError,
  redisOptions,
  type ClientProfile,
} from "./client-profile";
export { renderReport, renderEventTable, describeUrl, type TrafficReport, type EventRow } from "./report";
export { percentile, errorKey, StoreStats, type Store, type StoreFigures } from "./stats";
export {
  targetsFromOutputs,
  targetsFromFile,
  targetsFromEnv,
  checkTargets,
  TargetError,
  TARGET_ENV,
  type Targets,
} from "./targets";
export {
  ALL_FAMILIES,
  SEED_FAMILIES,
  APP_FAMILIES,
  FAMILY_STORES,
  familiesGranted,
  redisStoreOf,
} from "./redis-ops";
export { spawnTraffic, verifySavedLedger, type ChildRun } from "./child";
