import * as pulumi from "@pulumi/pulumi";
import type { DataStoreEndpoints } from "../endpoints";
import { ADMIN_ROLE, IAM_LOGINS, REDIS_USERS } from "../credentials/roles";
import { StackAlarms, cacheEventsTopic } from "../monitoring/alarms";
import { crossRegionReplicaAlarms, databaseAlarms, redisMemberIds } from "../monitoring/alarm-specs";
import { crossRegionReplicaIdentifier, replicaMaintenanceWindows } from "../postgres/replica-placement";
import { CrossRegionReadReplica } from "../postgres/cross-region-replica";
import { Backups } from "../backup/backups";
import { IamDatabaseAuth } from "../postgres/iam-auth";
import { StackKey } from "./kms";
import { DataNetwork } from "../network/data-network";
import { RdsPostgres } from "../postgres/rds";
import { ElastiCacheRedis } from "../redis/elasticache";
import type { AwsStackConfig } from "../config/types";
import { namePrefix, stackTags } from "./tags";
import { proxyName, redisGroupId, replicaIdentifier } from "./identifiers";
import { ReplacementGuard } from "./replacement-guard";
import { guardedConfig } from "./guarded-config";
import { AwsDataStoresArgs, Ctx, Stores, afterReplicas } from "./stack-context";
import { endpoints, secretsAndProxy } from "./stack-access";

export type { AwsDataStoresArgs } from "./stack-context";

/**
 * staging / prod: RDS PostgreSQL with replicas, ElastiCache Redis, secrets, backups, alarms, optional proxy.
 */
export class AwsDataStores extends pulumi.ComponentResource {
  readonly endpoints: DataStoreEndpoints;
  readonly secretArns: Readonly<Record<string, pulumi.Output<string>>>;
  readonly backupVault: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  /** With postgresCrossRegionReplicaRegion: where the replica runs and how to reach it. */
  readonly crossRegionReplica?: {
    readonly region: string;
    readonly address: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
  };
  /** With postgresIamAuth: the policy to attach to the app's role, and the user name its tokens log in as. */
  readonly iamAuth?: { readonly policyArn: pulumi.Output<string>; readonly dbUser: string };

  constructor(name: string, args: AwsDataStoresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:DataStores", name, {}, opts);
    const { config } = args;
    const prefix = namePrefix(config);
    const tags = stackTags(config);
    const parent = { parent: this as pulumi.Resource };
    const key = new StackKey(
      `${name}-key`,
      {
        ...config.aws,
        existingKeyArn: config.aws.kmsKeyArn || undefined,
        breakGlassRoleArn: config.aws.breakGlassRoleArn,
        alias: prefix,
        tags,
      },
      parent,
    );
    new ReplacementGuard(`${name}-replacement-guard`, { guarded: guardedConfig(config) }, parent);
    const ctx: Ctx = { name, args, config, prefix, tags, keyArn: key.arn, parent };
    const network = new DataNetwork(
      `${name}-network`,
      { ...config.network, subnets: config.network.privateSubnets, proxy: config.postgres.proxy, tags },
      parent,
    );
    const stores = storage(ctx, network);
    const access = secretsAndProxy(ctx, stores, network);
    const protection = backupsAndAlarms(ctx, stores);
    const iamAuth = config.postgres.iamAuth ? iamDatabaseAuth(ctx, stores) : undefined;

    this.endpoints = endpoints(ctx, stores, access.proxyEndpoint);
    this.secretArns = access.secretArns;
    this.backupVault = protection.backupVault;
    this.alarmTopicArn = protection.alarmTopicArn;
    this.kmsKeyArn = key.arn;
    this.crossRegionReplica = stores.crossRegion && {
      region: stores.crossRegion.region,
      address: stores.crossRegion.instance.address,
      arn: stores.crossRegion.instance.arn,
    };
    this.iamAuth = iamAuth && { policyArn: iamAuth.policyArn, dbUser: iamAuth.dbUser };
    this.registerOutputs({
      secretArns: this.secretArns,
      backupVault: this.backupVault,
      alarmTopicArn: this.alarmTopicArn,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}

function storage(ctx: Ctx, network: DataNetwork): Stores {
  const { name, args, config, prefix, tags, keyArn, parent } = ctx;
  const { passwords } = args;
  const postgres = new RdsPostgres(
    `${name}-postgres`,
    {
      identifier: prefix,
      settings: config.postgres,
      database: config.postgresDatabase,
      masterUser: ADMIN_ROLE.name,
      masterPassword: passwords.postgresAdmin,
      // passwordWoVersion must be set (0 reads as unset); it moves with the rotation epoch.
      masterPasswordVersion: config.rotation.postgresAdmin + 1,
      kmsKeyArn: keyArn,
      subnetGroupName: network.dbSubnetGroupName,
      securityGroupIds: [network.postgresSecurityGroupId],
      availabilityZones: [...new Set(config.network.privateSubnets.map((s) => s.availabilityZone))],
      logRetentionDays: config.logRetentionDays,
      partition: config.aws.partition,
      tags,
    },
    parent,
  );
  // A rotated Redis password keeps the previous one valid until its epoch is marked retired.
  const redisPasswords = (credential: "redisAdmin" | "redisApp", retired: number) => ({
    current: passwords[credential],
    previous: retired < config.rotation[credential] ? args.previousPasswords[credential] : undefined,
  });
  const redisArgs = {
    settings: config.redis,
    kmsKeyArn: keyArn,
    subnetGroupName: network.cacheSubnetGroupName,
    securityGroupIds: [network.redisSecurityGroupId],
    admin: {
      name: REDIS_USERS.admin,
      passwords: redisPasswords("redisAdmin", config.redis.retiredEpoch.admin),
    },
    notificationTopicArn: cacheEventsTopic(`${name}-cache-events`, config.alarmEmail, tags, parent.parent)
      .arn,
    logRetentionDays: config.logRetentionDays,
    tags,
  };
  const app = (access: AwsStackConfig["redisAccess"]) => ({
    name: REDIS_USERS.app,
    passwords: redisPasswords("redisApp", config.redis.retiredEpoch.app),
    access,
  });
  const redis = new ElastiCacheRedis(
    `${name}-redis`,
    { ...redisArgs, id: redisGroupId(prefix, "state"), app: app(config.redisAccess) },
    parent,
  );
  // Same subnets, security group, key and users; its own node type and the app's cache families. No alarms of
  // its own: a full LRU cache is its normal state, and ElastiCache's events (failover, node replaced) reach
  // the same topic.
  const redisCache = new ElastiCacheRedis(
    `${name}-redis-cache`,
    {
      ...redisArgs,
      id: redisGroupId(prefix, "cache"),
      settings: { ...config.redis, nodeType: config.redis.cacheNodeType },
      app: app(config.redisCacheAccess),
      store: "cache",
      sharedUsers: redis.users,
    },
    parent,
  );
  return { postgres, crossRegion: crossRegionReplica(ctx, postgres), redis, redisCache };
}

function crossRegionReplica({ name, config, prefix, tags, parent }: Ctx, postgres: RdsPostgres) {
  const replica = config.postgres.crossRegionReplica;
  if (!replica) return undefined;
  const s = config.postgres;
  return new CrossRegionReadReplica(
    `${name}-postgres-cross-region`,
    {
      identifier: prefix,
      replica,
      settings: s,
      sourceArn: postgres.primary.arn,
      monitoringRoleArn: postgres.monitoringRoleArn,
      // The window after the last same-region replica's.
      maintenanceWindow: replicaMaintenanceWindows(s.maintenanceWindow, s.replicaCount + 1)[s.replicaCount],
      logRetentionDays: config.logRetentionDays,
      partition: config.aws.partition,
      accountId: config.aws.accountId,
      breakGlassRoleArn: config.aws.breakGlassRoleArn,
      alias: `${prefix}-replica`,
      tags,
    },
    parent,
  );
}

function backupsAndAlarms({ name, config, prefix, tags, keyArn, parent }: Ctx, stores: Stores) {
  const backups = new Backups(
    `${name}-backup`,
    {
      prefix,
      kmsKeyArn: keyArn,
      primaryArn: afterReplicas(stores, stores.postgres.primary.arn),
      ...config.backup,
      pitrRetentionDays: stores.postgres.primary.backupRetentionPeriod,
      accountId: config.aws.accountId,
      partition: config.aws.partition,
      breakGlassRoleArn: config.aws.breakGlassRoleArn,
      tags,
    },
    parent,
  );
  const replicas = stores.postgres.replicas.map((_, i) => replicaIdentifier(prefix, i));
  // Node ids as ElastiCache reports them; the computed names only stand in where the output is not known.
  const computed = redisMemberIds(prefix, config.redis);
  const members = computed.map((fallback, i) => ({
    key: `redis-${i + 1}`,
    id: stores.redis.memberClusters.apply((m) =>
      m?.length === computed.length ? [...m].sort()[i] : fallback,
    ),
  }));
  const alarms = new StackAlarms(
    `${name}-alarms`,
    {
      alias: prefix,
      keyPolicy: { ...config.aws, breakGlassRoleArn: config.aws.breakGlassRoleArn },
      email: config.alarmEmail,
      tags,
      alarms: databaseAlarms(config.postgres, {
        primary: prefix,
        replicas,
        redisMembers: members,
        proxyName: config.postgres.proxy ? proxyName(prefix) : undefined,
      }),
      // Outputs, not names: the subscription waits for the instances (CreateEventSubscription:
      // SourceNotFound).
      rdsInstanceIds: [stores.postgres.primary, ...stores.postgres.replicas].map((i) => i.identifier),
    },
    parent,
  );
  if (stores.crossRegion) {
    const dr = stores.crossRegion;
    new StackAlarms(
      `${name}-cross-region-alarms`,
      {
        alias: `${prefix}-replica`,
        keyPolicy: { ...config.aws, breakGlassRoleArn: config.aws.breakGlassRoleArn },
        email: config.alarmEmail,
        tags,
        alarms: crossRegionReplicaAlarms(config.postgres, crossRegionReplicaIdentifier(prefix, dr.region)),
        rdsInstanceIds: [dr.instance.identifier],
        region: dr.region,
      },
      parent,
    );
  }
  return { backupVault: backups.vaultName, alarmTopicArn: alarms.topicArn };
}

function iamDatabaseAuth({ name, config, prefix, tags, parent }: Ctx, stores: Stores): IamDatabaseAuth {
  const here = (i: { resourceId: pulumi.Output<string> }) => ({
    region: config.aws.region,
    resourceId: i.resourceId,
  });
  return new IamDatabaseAuth(
    `${name}-iam-auth`,
    {
      prefix,
      partition: config.aws.partition,
      accountId: config.aws.accountId,
      instances: [
        ...[stores.postgres.primary, ...stores.postgres.replicas].map(here),
        ...(stores.crossRegion
          ? [{ region: stores.crossRegion.region, resourceId: stores.crossRegion.instance.resourceId }]
          : []),
      ],
      dbUser: IAM_LOGINS[0].name,
      tags,
    },
    parent,
  );
}
