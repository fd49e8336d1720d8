import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as elasticache from "@pulumi/aws/elasticache";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AwsStackConfig } from "../../config/types";
import { appPermissions } from "../../lib/redis/access";
import type { Tags } from "../../lib/aws/tags";

export interface RedisUserPasswords {
  readonly current: pulumi.Input<string>;
  /** Kept valid alongside the current one until the rotation is retired. */
  readonly previous?: pulumi.Input<string>;
}

export interface ElastiCacheRedisArgs {
  /** Replication group id and prefix of the user ids; fixed, lower-case, <= 40 characters. */
  readonly id: string;
  readonly settings: AwsStackConfig["redis"];
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly subnetGroupName: pulumi.Input<string>;
  readonly securityGroupIds: pulumi.Input<string>[];
  readonly admin: { readonly name: string; readonly passwords: RedisUserPasswords };
  readonly app: { readonly name: string; readonly passwords: RedisUserPasswords };
  readonly logRetentionDays: number;
  readonly tags: Tags;
}

/**
 * The seed's listpack limits and eviction policy. ElastiCache for Redis 7 has no AOF: durability comes from
 * Multi-AZ replicas with automatic failover plus daily snapshots (see README).
 */
export function redisParameters(clusterMode: boolean): { name: string; value: string }[] {
  return [
    { name: "maxmemory-policy", value: "allkeys-lru" },
    { name: "hash-max-listpack-entries", value: "512" },
    { name: "hash-max-listpack-value", value: "64" },
    { name: "zset-max-listpack-entries", value: "128" },
    { name: "zset-max-listpack-value", value: "64" },
    { name: "set-max-intset-entries", value: "512" },
    { name: "slowlog-log-slower-than", value: "10000" },
    ...(clusterMode ? [{ name: "cluster-enabled", value: "yes" }] : []),
  ];
}

/** ElastiCache Redis 7 replication group with TLS, encryption at rest and RBAC users (no shared auth token). */
export class ElastiCacheRedis extends pulumi.ComponentResource {
  readonly group: elasticache.ReplicationGroup;
  /** Primary endpoint, or the configuration endpoint in cluster mode. */
  readonly endpoint: pulumi.Output<string>;
  readonly readerEndpoint: pulumi.Output<string | undefined>;

  constructor(name: string, args: ElastiCacheRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:ElastiCacheRedis", name, {}, opts);
    const s = args.settings;
    const parent = { parent: this };
    const replicated = s.replicaCount >= 1;

    const parameters = new elasticache.ParameterGroup(
      `${name}-params`,
      {
        family: "redis7",
        description: "Off the Grid Redis: allkeys-lru and listpack limits",
        parameters: redisParameters(s.clusterMode),
        tags: args.tags,
      },
      parent,
    );

    const passwords = (p: RedisUserPasswords) => (p.previous ? [p.current, p.previous] : [p.current]);
    const user = (role: string, userName: string, accessString: string, pw: pulumi.Input<string>[]) =>
      new elasticache.User(
        `${name}-${role}`,
        {
          userId: `${args.id}-${role}`,
          userName,
          engine: "redis",
          accessString,
          authenticationMode: { type: "password", passwords: pw },
          tags: args.tags,
        },
        { parent: this, additionalSecretOutputs: ["passwords", "authenticationMode"] },
      );
    // Every user group must contain a user named "default": ours is switched off and can run nothing.
    const disabledPassword = new random.RandomPassword(
      `${name}-default`,
      { length: 40, special: false },
      parent,
    );
    const defaultUser = user("default", "default", "off ~* -@all", [pulumi.secret(disabledPassword.result)]);
    const admin = user("admin", args.admin.name, "on ~* &* +@all", passwords(args.admin.passwords));
    // No channels: Redis 7 users start with none (acl-pubsub-default resetchannels).
    const app = user("app", args.app.name, `on ${appPermissions()}`, passwords(args.app.passwords));
    const userGroup = new elasticache.UserGroup(
      `${name}-users`,
      {
        userGroupId: `${args.id}-users`,
        engine: "redis",
        userIds: [defaultUser.userId, admin.userId, app.userId],
        tags: args.tags,
      },
      parent,
    );

    const slowLog = new cloudwatch.LogGroup(
      `${name}-slow-log`,
      {
        name: `/aws/elasticache/${args.id}/slow-log`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.kmsKeyArn,
        tags: args.tags,
      },
      parent,
    );
    const snapshotSuffix = new random.RandomId(
      `${name}-final-snapshot`,
      { byteLength: 4, keepers: { id: args.id, kms: args.kmsKeyArn } },
      parent,
    );

    this.group = new elasticache.ReplicationGroup(
      name,
      {
        replicationGroupId: args.id,
        description: "Off the Grid Redis (sessions, grid caches, websockets, rate limits)",
        engine: "redis",
        engineVersion: "7.1",
        nodeType: s.nodeType,
        port: 6379,
        parameterGroupName: parameters.name,
        subnetGroupName: args.subnetGroupName,
        securityGroupIds: args.securityGroupIds,
        atRestEncryptionEnabled: true,
        kmsKeyId: args.kmsKeyArn,
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
        userGroupIds: [userGroup.userGroupId],
        automaticFailoverEnabled: replicated || s.clusterMode,
        multiAzEnabled: replicated,
        ...(s.clusterMode
          ? { clusterMode: "enabled", numNodeGroups: s.shards, replicasPerNodeGroup: s.replicaCount }
          : { clusterMode: "disabled", numCacheClusters: s.replicaCount + 1 }),
        snapshotRetentionLimit: s.snapshotRetentionDays,
        snapshotWindow: s.snapshotWindow,
        maintenanceWindow: s.maintenanceWindow,
        finalSnapshotIdentifier: pulumi.interpolate`${args.id}-final-${snapshotSuffix.hex}`,
        autoMinorVersionUpgrade: true,
        applyImmediately: true,
        logDeliveryConfigurations: [
          {
            destination: slowLog.name,
            destinationType: "cloudwatch-logs",
            logFormat: "json",
            logType: "slow-log",
          },
        ],
        tags: args.tags,
      },
      parent,
    );
    this.endpoint = s.clusterMode
      ? this.group.configurationEndpointAddress
      : this.group.primaryEndpointAddress;
    this.readerEndpoint = s.clusterMode ? pulumi.output(undefined) : this.group.readerEndpointAddress;
    this.registerOutputs({ endpoint: this.endpoint, readerEndpoint: this.readerEndpoint });
  }
}
