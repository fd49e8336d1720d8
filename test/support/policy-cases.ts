// The policy tests' cases for the pack's resource rules of policy/rds.ts, policy/elasticache.ts and
// policy/docker.ts (pulumi-policy-aws style): a valid resource set, the same with one field changed, and the
// message expected.
import { Case, R, cache, container, primary, replica, tags } from "./policy-fixtures";

export const rdsCases: Case[] = [
  [
    "rds-storage-encrypted",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, storageEncrypted: false })],
    /RDS instance db must have storage encryption enabled/,
  ],
  [
    "rds-not-public",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, publiclyAccessible: true })],
    /RDS instance db must not be publicly accessible/,
  ],
  [
    "rds-backup-retention",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, backupRetentionPeriod: 0 })],
    /keeps backups for 0 day\(s\); set offthegrid-database:postgresBackupRetentionDays to at least 7 \(backupRetentionPeriod\)/,
  ],
  [
    "rds-deletion-protection",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, deletionProtection: false })],
    /must have deletion protection/,
  ],
  [
    "rds-multi-az",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, multiAz: false })],
    /must run Multi-AZ: set offthegrid-database:postgresMultiAz to true \(multiAz\)/,
  ],
  [
    "rds-final-snapshot",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, skipFinalSnapshot: true })],
    /must take a final snapshot/,
  ],
  [
    "rds-performance-insights-encrypted",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, performanceInsightsKmsKeyId: undefined })],
    /must encrypt Performance Insights/,
  ],
  [
    "rds-custom-parameter-group",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, parameterGroupName: "default.postgres17" })],
    /must use a custom parameter group/,
  ],
  [
    "rds-parameter-group-forces-ssl",
    [
      R("aws:rds/parameterGroup:ParameterGroup", "pg", {
        family: "postgres17",
        parameters: [{ name: "rds.force_ssl", value: "1" }],
        tags,
      }),
    ],
    [
      R("aws:rds/parameterGroup:ParameterGroup", "pg", {
        family: "postgres17",
        parameters: [{ name: "rds.force_ssl", value: "0" }],
        tags,
      }),
    ],
    /RDS parameter group pg must force TLS: set parameters to include rds\.force_ssl = 1 in stack\/postgres\/rds-parameters\.ts \(no config key sets it\)/,
  ],
  [
    "rds-engine-major-pinned",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, engineVersion: "17.2" })],
    /pin the engine major version only \(engineVersion: "17", not "17\.2"\)/,
  ],
  [
    "rds-replica-matches-source",
    [R("aws:rds/instance:Instance", "db", primary), R("aws:rds/instance:Instance", "replica", replica)],
    [
      R("aws:rds/instance:Instance", "db", primary),
      R("aws:rds/instance:Instance", "replica", { ...replica, engine: "mysql" }),
    ],
    /RDS replica replica runs mysql but its source db runs postgres/,
  ],
];

export const elasticacheCases: Case[] = [
  [
    "elasticache-encryption",
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache)],
    [
      R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", {
        ...cache,
        atRestEncryptionEnabled: false,
      }),
    ],
    /must encrypt at rest/,
  ],
  [
    "elasticache-access-control",
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache)],
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", { ...cache, userGroupIds: [] })],
    /lets anyone connect: attach an RBAC user group/,
  ],
  [
    "elasticache-failover",
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache)],
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", { ...cache, multiAzEnabled: false })],
    /has replicas: set automaticFailoverEnabled to true in stack\/redis\/elasticache\.ts/,
  ],
  [
    "elasticache-snapshot-retention",
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache)],
    [
      R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", {
        ...cache,
        snapshotRetentionLimit: 0,
      }),
    ],
    /must keep snapshots/,
  ],
];

export const dockerCases: Case[] = [
  [
    "docker-ports-loopback",
    [R("docker:index/container:Container", "pg", container)],
    [
      R("docker:index/container:Container", "pg", {
        ...container,
        ports: [{ internal: 5432, external: 5432, ip: "0.0.0.0" }],
      }),
    ],
    /publishes port 5432 on 0\.0\.0\.0: set ports to bind 127\.0\.0\.1/,
  ],
  [
    "docker-image-pinned",
    [R("docker:index/remoteImage:RemoteImage", "local-postgres-image", { name: "postgres:17.6-bookworm" })],
    [R("docker:index/remoteImage:RemoteImage", "local-postgres-image", { name: "postgres:latest" })],
    /uses image "postgres:latest": pin an exact version .*: set offthegrid-database:postgresImage \(name\)/,
  ],
  [
    "docker-healthcheck",
    [R("docker:index/container:Container", "pg", container)],
    [R("docker:index/container:Container", "pg", { ...container, healthcheck: undefined })],
    /Container pg has no healthcheck/,
  ],
  [
    "docker-secrets-as-files",
    [R("docker:index/container:Container", "pg", container)],
    [R("docker:index/container:Container", "pg", { ...container, envs: ["POSTGRES_PASSWORD=hunter2"] })],
    /passes POSTGRES_PASSWORD as a plain environment variable/,
  ],
];
