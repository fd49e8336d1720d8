// The policy tests' cases for the pack's rules that look at more than one resource (replicas and their
// sources, alarms and what they watch, backup plans and vaults, proxies and their security groups). Each: a
// valid resource set, the same with one field changed, the message.
import {
  Case,
  R,
  alarm,
  cache,
  crossRegionReplica,
  lowStorageEvents,
  managedPrimary,
  primary,
  replica,
  storageAlarm,
  tags,
} from "./policy-fixtures";

const backupResources = [
  R("aws:backup/plan:Plan", "plan", {
    rules: [{ copyActions: [{ destinationVaultArn: "arn:copy" }] }],
    tags,
  }),
  R("aws:backup/vault:Vault", "vault", { tags }),
  R(
    "aws:backup/vault:Vault",
    "copy",
    { tags },
    { providerProps: { region: "eu-central-1" }, providerName: "copy" },
  ),
];
const postgresAlarms = [
  "MaximumUsedTransactionIDs",
  "TransactionLogsDiskUsage",
  "DiskQueueDepth",
  "ReadLatency",
  "WriteLatency",
].map((m) => alarm(m, m, { DBInstanceIdentifier: "db" }));

const replicaLag = (region: string | undefined) =>
  R("aws:cloudwatch/metricAlarm:MetricAlarm", "dr-lag", {
    metricName: "ReplicaLag",
    dimensions: { DBInstanceIdentifier: "db-dr" },
    threshold: 300,
    ...(region ? { region } : {}),
    tags,
  });
const userGroup = (engine: string) =>
  R("aws:elasticache/userGroup:UserGroup", "users", { userGroupId: "users", engine, tags });

/** A state store: its parameter group's policy, the app user allowed into session:* and jwt_blacklist:*. */
const redisStore = (policy: string) => [
  R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", { ...cache, parameterGroupName: "params" }),
  R("aws:elasticache/parameterGroup:ParameterGroup", "params", {
    name: "params",
    family: "redis7",
    parameters: [{ name: "maxmemory-policy", value: policy }],
    tags,
  }),
  R("aws:elasticache/userGroup:UserGroup", "users", {
    userGroupId: "users",
    userIds: ["admin", "app"],
    tags,
  }),
  R("aws:elasticache/user:User", "admin", { userId: "admin", accessString: "on ~* &* +@all", tags }),
  R("aws:elasticache/user:User", "app", {
    userId: "app",
    accessString: "on ~session:* ~jwt_blacklist:* -@all +get +set",
    tags,
  }),
];

// [policy, a valid resource set, the same with one field changed, message]
export const awsCases: Case[] = [
  [
    "redis-eviction-by-store",
    redisStore("noeviction"),
    redisStore("allkeys-lru"),
    /ElastiCache replication group redis lets the app write state \(session:\*\) but runs maxmemory-policy allkeys-lru: .*state needs noeviction: set parameters \(maxmemory-policy\) in stack\/redis\/stores\.ts .*redisAppKeyPatterns/,
  ],
  [
    "security-group-no-public-db-ports",
    [
      R("aws:ec2/securityGroup:SecurityGroup", "sg", {
        ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"] }],
        tags,
      }),
    ],
    [
      R("aws:ec2/securityGroup:SecurityGroup", "sg", {
        ingress: [{ protocol: "tcp", fromPort: 5000, toPort: 6500, cidrBlocks: ["0.0.0.0/0"] }],
        tags,
      }),
    ],
    /securityGroup sg opens port 5432, 6379 to 0\.0\.0\.0\/0/,
  ],
  [
    "aws-required-tags",
    [R("aws:sns/topic:Topic", "topic", { tags })],
    [R("aws:sns/topic:Topic", "topic", { tags: { Project: "x" } })],
    /topic topic is missing tag\(s\) Environment, Owner/,
  ],
  [
    "backup-cross-region-copy",
    [R("aws:rds/instance:Instance", "db", primary), ...backupResources],
    [R("aws:rds/instance:Instance", "db", primary), ...backupResources.slice(0, 2)],
    /must copy recovery points to a vault in a second region/,
  ],
  [
    "rds-proxy-egress",
    [
      R("aws:rds/proxy:Proxy", "proxy", { vpcSecurityGroupIds: ["sg-proxy"], tags }),
      R("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "egress", {
        securityGroupId: "sg-proxy",
        referencedSecurityGroupId: "sg-db",
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        tags,
      }),
    ],
    [
      R("aws:rds/proxy:Proxy", "proxy", { vpcSecurityGroupIds: ["sg-proxy"], tags }),
      R("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "egress", {
        securityGroupId: "sg-other",
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        tags,
      }),
    ],
    /RDS Proxy proxy cannot reach its database: add an egress rule to port 5432/,
  ],
  [
    "backup-window-clear-of-maintenance",
    [
      R("aws:rds/instance:Instance", "db", {
        ...primary,
        backupWindow: "02:00-02:30",
        maintenanceWindow: "sun:03:00-sun:04:00",
      }),
      R("aws:backup/plan:Plan", "plan", {
        rules: [{ ruleName: "daily", schedule: "cron(0 5 * * ? *)", startWindow: 60 }],
        tags,
      }),
    ],
    [
      R("aws:rds/instance:Instance", "db", {
        ...primary,
        backupWindow: "02:00-02:30",
        maintenanceWindow: "sun:03:00-sun:04:00",
      }),
      R("aws:backup/plan:Plan", "plan", {
        rules: [{ ruleName: "daily", schedule: "cron(0 3 * * ? *)", startWindow: 60 }],
        tags,
      }),
    ],
    /rule daily starts at 03:00 \(\+60 min\), inside RDS instance db's maintenance window/,
  ],
  [
    "rds-replica-storage-autoscaling",
    [
      R("aws:rds/instance:Instance", "db", { ...primary, maxAllocatedStorage: 1000 }),
      R("aws:rds/instance:Instance", "replica", { ...replica, maxAllocatedStorage: 1000 }),
    ],
    [
      R("aws:rds/instance:Instance", "db", { ...primary, maxAllocatedStorage: 1000 }),
      R("aws:rds/instance:Instance", "replica", replica),
    ],
    /RDS replica replica autoscales to no GiB but its source db to 1000 GiB/,
  ],
  [
    "backup-vault-lock-governance",
    [R("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "lock", { minRetentionDays: 7 })],
    [
      R("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "lock", {
        minRetentionDays: 7,
        changeableForDays: 3,
      }),
    ],
    /sets changeableForDays, which makes the lock irreversible compliance mode/,
  ],
  [
    "cloudwatch-alarm-missing-data-not-breaching",
    [R("aws:cloudwatch/metricAlarm:MetricAlarm", "lag", { treatMissingData: "notBreaching", tags })],
    [R("aws:cloudwatch/metricAlarm:MetricAlarm", "lag", { treatMissingData: "breaching", tags })],
    /metricAlarm lag treats missing data as breaching/,
  ],

  // Seeded violations for blue/green, the storage and PostgreSQL alarms, replica maintenance windows.
  [
    "rds-blue-green-compatible",
    [R("aws:rds/instance:Instance", "db", { ...primary, blueGreenUpdate: { enabled: true } })],
    [
      R("aws:rds/instance:Instance", "db", { ...primary, blueGreenUpdate: { enabled: true } }),
      R("aws:rds/instance:Instance", "db-replica-1", {
        ...replica,
        maintenanceWindow: "sun:04:00-sun:05:00",
      }),
    ],
    /updates through blue\/green but has read replicas \(db-replica-1\)/,
  ],
  [
    "cloudwatch-rds-storage-alarm",
    [...storageAlarm(10 * 1024 ** 3), lowStorageEvents],
    [...storageAlarm(20 * 1024 ** 3), lowStorageEvents],
    /pages at 20.0 GiB free, at or above the 10 % of 200 GiB where storage autoscaling of db starts/,
  ],
  [
    "cloudwatch-rds-postgres-alarms",
    [R("aws:rds/instance:Instance", "db", primary), ...postgresAlarms],
    [
      R("aws:rds/instance:Instance", "db", primary),
      ...postgresAlarms.filter((a) => a.props.metricName !== "MaximumUsedTransactionIDs"),
    ],
    /RDS instance db has no alarm on MaximumUsedTransactionIDs/,
  ],
  [
    "rds-replica-maintenance-window",
    [
      R("aws:rds/instance:Instance", "db-replica-1", {
        ...replica,
        maintenanceWindow: "sun:04:00-sun:05:00",
      }),
    ],
    [R("aws:rds/instance:Instance", "db-replica-1", replica)],
    /RDS replica db-replica-1 has no maintenanceWindow/,
  ],
  // An RDS-managed master password, a cross-region replica, the cache engine.
  [
    "rds-managed-password-no-replicas",
    [R("aws:rds/instance:Instance", "db", managedPrimary)],
    [
      R("aws:rds/instance:Instance", "db", managedPrimary),
      R("aws:rds/instance:Instance", "db-replica-1", replica),
    ],
    /RDS instance db has an RDS-managed master password and read replicas \(db-replica-1\): RDS cannot create a replica/,
  ],
  [
    "rds-managed-password-cmk",
    [R("aws:rds/instance:Instance", "db", managedPrimary)],
    [R("aws:rds/instance:Instance", "db", { ...managedPrimary, masterUserSecretKmsKeyId: undefined })],
    /keeps its master password in a secret under the default aws\/secretsmanager key: set masterUserSecretKmsKeyId/,
  ],
  [
    "rds-cross-region-replica-encrypted",
    [R("aws:rds/instance:Instance", "db-dr", crossRegionReplica)],
    [R("aws:rds/instance:Instance", "db-dr", { ...crossRegionReplica, kmsKeyId: undefined })],
    /RDS replica db-dr replicates arn:aws:rds:eu-west-1:123456789012:db:db across regions: set storageEncrypted to true in stack\/postgres\/rds\.ts/,
  ],
  [
    "elasticache-user-group-engine",
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache), userGroup("redis")],
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache), userGroup("valkey")],
    /replication group redis runs Redis OSS but its user group users has engine valkey/,
  ],
  [
    "cloudwatch-rds-replica-lag-alarm",
    [R("aws:rds/instance:Instance", "db-dr", crossRegionReplica), replicaLag("eu-central-1")],
    [R("aws:rds/instance:Instance", "db-dr", crossRegionReplica), replicaLag(undefined)],
    /RDS replica db-dr runs in eu-central-1 but its ReplicaLag alarm is in eu-west-1: create the alarm/,
  ],
];
