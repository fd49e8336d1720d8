// What an ElastiCache replication group is configured with (ElastiCacheRedis, its alarms): the component's
// settings, owned here; the stack's config (stack/config/types.ts) conforms to it. Pure types, parsed by
// ./keys.ts.
export interface ElastiCacheSettings {
  /** Redis OSS or Valkey (./cache-engine.ts). */
  readonly engine: "redis" | "valkey";
  /** cache.* node type, e.g. cache.r7g.large. */
  readonly nodeType: string;
  /** Replicas per shard (automatic failover needs at least one). */
  readonly replicaCount: number;
  readonly clusterMode: boolean;
  /** Node groups; more than 1 only in cluster mode. */
  readonly shards: number;
  readonly snapshotRetentionDays: number;
  /** Daily hh:mm-hh:mm (UTC). */
  readonly snapshotWindow: string;
  /** Weekly ddd:hh:mm-ddd:hh:mm (UTC). */
  readonly maintenanceWindow: string;
  /** Epochs whose previous password has been retired (see the rotation runbook). */
  readonly retiredEpoch: { readonly admin: number; readonly app: number };
  /** Apply changes now (a node-type change fails over) rather than in the maintenance window. */
  readonly applyImmediately: boolean;
}
