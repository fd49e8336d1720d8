// What each ElastiCache engine option deploys: pure, so the version and parameter-group family pairs are
// tested without Pulumi. Valkey is API-compatible with Redis OSS 7 ("Valkey is designed as a drop-in
// replacement for Redis OSS 7", ElastiCache guide, "Upgrading engine versions including cross engine
// upgrades"); Valkey 8.x parameters are family valkey8, and most are compatible with Redis OSS 7.1's ("Engine
// specific parameters").

export type CacheEngine = "redis" | "valkey";

export interface CacheEngineSpec {
  readonly engine: CacheEngine;
  /**
   * Major.minor: ElastiCache wants both for 7 and above (elasticache/replicationGroup.d.ts engineVersion).
   */
  readonly version: string;
  readonly family: string;
  /**
   * The engine of the RBAC users and user group. Kept "redis" for both: a Valkey cluster accepts user groups
   * of engine redis or valkey, a Redis OSS cluster only redis (ElastiCache guide, "Role-Based Access
   * Control"), so an engine upgrade never has to touch (or replace) the users.
   */
  readonly userEngine: "redis";
}

export const CACHE_ENGINES: Readonly<Record<CacheEngine, CacheEngineSpec>> = {
  redis: { engine: "redis", version: "7.1", family: "redis7", userEngine: "redis" },
  valkey: { engine: "valkey", version: "8.0", family: "valkey8", userEngine: "redis" },
};
