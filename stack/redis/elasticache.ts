import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as elasticache from "@pulumi/aws/elasticache";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ElastiCacheSettings } from "./elasticache-settings";
import type { Tags } from "../aws/tags";
import { RedisUserPasswords, SharedRedisUsers, redisUsers } from "./elasticache-users";
import type { RedisAppAccess } from "./access";
import { CACHE_ENGINES } from "./cache-engine";
import { clientLimitParameters } from "./client-limits";
import { REDIS_STORES, RedisStore } from "./stores";

export type { RedisUserPasswords } from "./elasticache-users";

export interface ElastiCacheRedisArgs {
  /** Replication group id and prefix of the user ids; fixed, lower-case, <= 40 characters. */
  readonly id: string;
  readonly settings: ElastiCacheSettings;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly subnetGroupName: pulumi.Input<string>;
  readonly securityGroupIds: pulumi.Input<string>[];
  readonly admin: { readonly name: string; readonly passwords: RedisUserPasswords };
  readonly app: {
    readonly name: string;
    readonly passwords: RedisUserPasswords;
    /** Key patterns and SCAN for the app user in this store, as configured (stack/redis/keys.ts). */
    readonly access: RedisAppAccess;
  };
  /** Unencrypted topic for ElastiCache's own notifications (failover, node replaced, …). */
  readonly notificationTopicArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  readonly tags: Tags;
  /** Which store (eviction policy, description); default the state store. */
  readonly store?: RedisStore;
  /** Join another store's default and admin users instead of making them (the cache store). */
  readonly sharedUsers?: SharedRedisUsers;
}

/**
 * The seed's listpack limits, the dev server's eviction policy and client bounds
 * (stack/redis/client-limits.ts). ElastiCache for Redis 7 has no AOF: durability comes from Multi-AZ replicas
 * with automatic failover plus daily snapshots (see docs/aws.md).
 */
export function redisParameters(
  clusterMode: boolean,
  store: RedisStore = "state",
): { name: string; value: string }[] {
  return [
    { name: "maxmemory-policy", value: REDIS_STORES[store].policy },
    ...clientLimitParameters(),
    { name: "hash-max-listpack-entries", value: "512" },
    { name: "hash-max-listpack-value", value: "64" },
    { name: "zset-max-listpack-entries", value: "128" },
    { name: "zset-max-listpack-value", value: "64" },
    { name: "set-max-intset-entries", value: "512" },
    { name: "slowlog-log-slower-than", value: "10000" },
    ...(clusterMode ? [{ name: "cluster-enabled", value: "yes" }] : []),
  ];
}

/**
 * ElastiCache replication group (Redis OSS 7.1 or Valkey 8.0) with TLS, encryption at rest and RBAC users (no
 * shared auth token).
 */
export class ElastiCacheRedis extends pulumi.ComponentResource {
  readonly group: elasticache.ReplicationGroup;
  /** Primary endpoint, or the configuration endpoint in cluster mode. */
  readonly endpoint: pulumi.Output<string>;
  readonly readerEndpoint: pulumi.Output<string | undefined>;
  /** Node ids as ElastiCache reports them (stay right after replicas are added or removed). */
  readonly memberClusters: pulumi.Output<string[]>;
  /** Its default and admin users, for another store to join. */
  readonly users: SharedRedisUsers;

  constructor(name: string, args: ElastiCacheRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:ElastiCacheRedis", name, {}, opts);
    const s = args.settings;
    const store = args.store ?? "state";
    const engine = CACHE_ENGINES[s.engine];
    const parent = { parent: this };
    // Auto-named: an engine change (family redis7 -> valkey8) creates the new group before deleting the old
    // one.
    const parameters = new elasticache.ParameterGroup(
      `${name}-params`,
      {
        family: engine.family,
        // Immutable: a new text would replace the group under a live replication group. It predates
        // noeviction.
        description: "Off the Grid Redis: allkeys-lru and listpack limits",
        parameters: redisParameters(s.clusterMode, store),
        tags: args.tags,
      },
      parent,
    );
    const users = redisUsers(
      name,
      { ...args, clusterMode: s.clusterMode, engine: engine.userEngine, shared: args.sharedUsers },
      this,
    );
    const snapshotSuffix = new random.RandomId(
      `${name}-final-snapshot`,
      { byteLength: 4, keepers: { id: args.id, kms: args.kmsKeyArn } },
      parent,
    );
    this.group = new elasticache.ReplicationGroup(
      name,
      {
        ...this.topology(s),
        replicationGroupId: args.id,
        // The state store keeps the text from when it held the cache too: a new one is a needless update.
        description:
          store === "state"
            ? "Off the Grid Redis (sessions, grid caches, websockets, rate limits)"
            : `Off the Grid Redis cache (${REDIS_STORES.cache.holds}; allkeys-lru)`,
        // Redis OSS -> Valkey is an in-place ModifyReplicationGroup (engine, version and the new parameter
        // group together); ElastiCache guide, "How to upgrade from Redis OSS to Valkey".
        engine: engine.engine,
        engineVersion: engine.version,
        nodeType: s.nodeType,
        port: 6379,
        parameterGroupName: parameters.name,
        subnetGroupName: args.subnetGroupName,
        securityGroupIds: args.securityGroupIds,
        atRestEncryptionEnabled: true,
        kmsKeyId: args.kmsKeyArn,
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
        userGroupIds: [users.groupId],
        snapshotRetentionLimit: s.snapshotRetentionDays,
        snapshotWindow: s.snapshotWindow,
        maintenanceWindow: s.maintenanceWindow,
        finalSnapshotIdentifier: pulumi.interpolate`${args.id}-final-${snapshotSuffix.hex}`,
        autoMinorVersionUpgrade: true,
        // A node-type change fails over; by default it waits for the maintenance window.
        applyImmediately: s.applyImmediately,
        notificationTopicArn: args.notificationTopicArn,
        logDeliveryConfigurations: this.logs(name, args),
        tags: args.tags,
      },
      // A replacement would empty the cache and change every endpoint: refuse it (pulumi state unprotect to
      // override).
      { parent: this, protect: true },
    );
    this.endpoint = s.clusterMode
      ? this.group.configurationEndpointAddress
      : this.group.primaryEndpointAddress;
    this.readerEndpoint = s.clusterMode ? pulumi.output(undefined) : this.group.readerEndpointAddress;
    this.memberClusters = this.group.memberClusters;
    this.users = { defaultUserId: users.defaultUserId, adminUserId: users.adminUserId };
    this.registerOutputs({ endpoint: this.endpoint, readerEndpoint: this.readerEndpoint });
  }

  private topology(s: ElastiCacheRedisArgs["settings"]) {
    const replicated = s.replicaCount >= 1;
    return {
      automaticFailoverEnabled: replicated || s.clusterMode,
      multiAzEnabled: replicated,
      ...(s.clusterMode
        ? { clusterMode: "enabled", numNodeGroups: s.shards, replicasPerNodeGroup: s.replicaCount }
        : { clusterMode: "disabled", numCacheClusters: s.replicaCount + 1 }),
    };
  }

  /** Slow log and engine log, each into its own log group created first with retention and KMS. */
  private logs(name: string, args: ElastiCacheRedisArgs) {
    // The slow log keeps its original resource name, so existing stacks keep their log group.
    const groups = [
      ["slow-log", `${name}-slow-log`],
      ["engine-log", `${name}-engine-log`],
    ] as const;
    return groups.map(([logType, resourceName]) => {
      const group = new cloudwatch.LogGroup(
        resourceName,
        {
          name: `/aws/elasticache/${args.id}/${logType}`,
          retentionInDays: args.logRetentionDays,
          kmsKeyId: args.kmsKeyArn,
          tags: args.tags,
        },
        { parent: this },
      );
      return { destination: group.name, destinationType: "cloudwatch-logs", logFormat: "json", logType };
    });
  }
}
