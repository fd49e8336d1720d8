// Which alarms the stack raises, and at what thresholds: pure, so the list is testable without resources.
import type * as pulumi from "@pulumi/pulumi";
import type { AwsStackConfig } from "../../config/types";
import { instanceMemoryGiB } from "./instance-classes";

/** One CloudWatch alarm, described as data; components/aws/alarms.ts turns each into a MetricAlarm. */
export interface AlarmSpec {
  readonly key: string;
  readonly description: string;
  readonly namespace: "AWS/RDS" | "AWS/ElastiCache";
  readonly metric: string;
  readonly dimensions: Record<string, pulumi.Input<string>>;
  readonly statistic: "Average" | "Maximum" | "Minimum" | "Sum";
  readonly comparison: "GreaterThanThreshold" | "LessThanThreshold";
  readonly threshold: number;
  /** Consecutive 5-minute periods before it fires. */
  readonly periods?: number;
  /**
   * Never "breaching": new resources report nothing for their first minutes, and a metric that only a role
   * reports (replication lag on a replica) goes quiet on the node that became primary. Default "missing".
   */
  readonly missingData?: "missing" | "notBreaching";
}

/** A node of the replication group: a stable alarm key, and its cache cluster id (from memberClusters). */
export interface RedisMember {
  readonly key: string;
  readonly id: pulumi.Input<string>;
}

/**
 * RDS storage autoscaling grows an instance once free space stays below 10 % of its *current* allocation
 * (RDS user guide, "Managing capacity automatically with Amazon RDS storage autoscaling"). CloudWatch has no
 * allocated-storage metric, so an alarm cannot follow the current allocation: it pages below half of what the
 * autoscaler reacts to at the initial size, which a working autoscaler never lets happen. Nearing the ceiling
 * (maxAllocatedStorage) is RDS's own event RDS-EVENT-0225 ("notification" category), subscribed in components/aws/alarms.ts.
 */
export const FREE_STORAGE_ALARM_FRACTION = 0.05;

/** PostgreSQL stops assigning XIDs at 2^31 - 3 million; page at half way (RDS user guide, "transaction ID wraparound"). */
export const MAX_USED_XIDS_THRESHOLD = 1_000_000_000;

export function databaseAlarms(
  config: AwsStackConfig,
  ids: { primary: string; replicas: string[]; redisMembers: RedisMember[]; proxyName?: string },
): AlarmSpec[] {
  const pg = config.postgres;
  const perInstance = [ids.primary, ...ids.replicas].flatMap((id) => instanceAlarms(config, id));
  const replicaLag = ids.replicas.map((id) => replicaLagAlarm(id, 60));
  const primary = primaryAlarms(ids.primary, pg.blueGreenUpdate);
  const proxy = ids.proxyName ? [proxyAlarm(ids.proxyName)] : [];
  const redis = ids.redisMembers.flatMap((m) => redisMemberAlarms(m.key, { CacheClusterId: m.id }));
  return [...perInstance, ...primary, ...replicaLag, ...proxy, ...redis];
}

/**
 * A cross-region replica's alarms, created in its region (components/aws/alarms.ts `region`): the instance alarms
 * and its lag, at 5 minutes rather than 60 s, since the WAL crosses regions asynchronously.
 */
export function crossRegionReplicaAlarms(config: AwsStackConfig, id: string): AlarmSpec[] {
  return [...instanceAlarms(config, id), replicaLagAlarm(id, 300)];
}

const rds = (id: string): Record<string, string> => ({ DBInstanceIdentifier: id });

function replicaLagAlarm(id: string, seconds: number): AlarmSpec {
  return {
    key: `${id}-replica-lag`,
    description: `${id}: replica more than ${seconds} s behind`,
    namespace: "AWS/RDS",
    metric: "ReplicaLag",
    dimensions: rds(id),
    statistic: "Maximum",
    comparison: "GreaterThanThreshold",
    threshold: seconds,
    missingData: "notBreaching",
  };
}

/** What every instance, primary or replica, pages on. */
function instanceAlarms(config: AwsStackConfig, id: string): AlarmSpec[] {
  const pg = config.postgres;
  return [
    {
      key: `${id}-cpu`,
      description: `${id}: CPU above 80 % for 15 min`,
      namespace: "AWS/RDS",
      metric: "CPUUtilization",
      dimensions: rds(id),
      statistic: "Average",
      comparison: "GreaterThanThreshold",
      threshold: 80,
    },
    {
      key: `${id}-free-storage`,
      description: `${id}: free storage below ${FREE_STORAGE_ALARM_FRACTION * 100} % of the initial allocation (autoscaling is not keeping up, or is at maxAllocatedStorage)`,
      namespace: "AWS/RDS",
      metric: "FreeStorageSpace",
      dimensions: rds(id),
      statistic: "Minimum",
      comparison: "LessThanThreshold",
      threshold: pg.allocatedStorageGb * 1024 ** 3 * FREE_STORAGE_ALARM_FRACTION,
      periods: 2,
    },
    // Queued I/O and per-operation latency: gp3 saturation shows here before CPU does.
    {
      key: `${id}-disk-queue`,
      description: `${id}: disk queue depth above 64 for 15 min`,
      namespace: "AWS/RDS",
      metric: "DiskQueueDepth",
      dimensions: rds(id),
      statistic: "Average",
      comparison: "GreaterThanThreshold",
      threshold: 64,
    },
    ...(["ReadLatency", "WriteLatency"] as const).map((metric): AlarmSpec => ({
      key: `${id}-${metric === "ReadLatency" ? "read" : "write"}-latency`,
      description: `${id}: ${metric} above 20 ms for 15 min`,
      namespace: "AWS/RDS",
      metric,
      dimensions: rds(id),
      statistic: "Average",
      comparison: "GreaterThanThreshold",
      threshold: 0.02,
    })),
    {
      key: `${id}-freeable-memory`,
      description: `${id}: freeable memory below 5 % of the instance`,
      namespace: "AWS/RDS",
      metric: "FreeableMemory",
      dimensions: rds(id),
      statistic: "Minimum",
      comparison: "LessThanThreshold",
      threshold: instanceMemoryGiB(pg.instanceClass) * 1024 ** 3 * 0.05,
    },
    {
      key: `${id}-connections`,
      description: `${id}: connections above 80 % of max_connections (${pg.maxConnections})`,
      namespace: "AWS/RDS",
      metric: "DatabaseConnections",
      dimensions: rds(id),
      statistic: "Maximum",
      comparison: "GreaterThanThreshold",
      threshold: Math.floor(pg.maxConnections * 0.8),
    },
  ];
}

/** Metrics only the writer reports (RDS user guide, "Amazon CloudWatch metrics for Amazon RDS", PostgreSQL). */
function primaryAlarms(id: string, logicalReplication: boolean): AlarmSpec[] {
  const dimensions = { DBInstanceIdentifier: id };
  const alarm = (key: string, description: string, metric: string, threshold: number): AlarmSpec => ({
    key: `${id}-${key}`,
    description: `${id}: ${description}`,
    namespace: "AWS/RDS",
    metric,
    dimensions,
    statistic: "Maximum",
    comparison: "GreaterThanThreshold",
    threshold,
  });
  return [
    alarm(
      "xid-wraparound",
      "more than 1e9 transaction IDs used (wraparound at 2^31; vacuum is falling behind)",
      "MaximumUsedTransactionIDs",
      MAX_USED_XIDS_THRESHOLD,
    ),
    // WAL held back by a replica or a replication slot fills the disk whatever autoscaling does.
    alarm(
      "wal-disk",
      "transaction logs use more than 10 GiB (a stuck replica or slot)",
      "TransactionLogsDiskUsage",
      10 * 1024 ** 3,
    ),
    ...(logicalReplication
      ? [
          alarm(
            "slot-lag",
            "oldest replication slot more than 5 GiB behind (logical replication is on)",
            "OldestReplicationSlotLag",
            5 * 1024 ** 3,
          ),
        ]
      : []),
  ];
}

/** RDS Proxy reports target health as AvailabilityPercentage (RDS user guide, "Monitoring RDS Proxy metrics"). */
function proxyAlarm(proxyName: string): AlarmSpec {
  return {
    key: `${proxyName}-availability`,
    description: `RDS Proxy ${proxyName}: target available less than 100 % of the time`,
    namespace: "AWS/RDS",
    metric: "AvailabilityPercentage",
    dimensions: { ProxyName: proxyName, TargetGroup: "default", TargetRole: "READ_WRITE" },
    statistic: "Minimum",
    comparison: "LessThanThreshold",
    threshold: 100,
    periods: 2,
  };
}

/** Member cluster ids ElastiCache gives a replication group's nodes. */
export function redisMemberIds(groupId: string, redis: AwsStackConfig["redis"]): string[] {
  if (!redis.clusterMode)
    return Array.from(
      { length: redis.replicaCount + 1 },
      (_, i) => `${groupId}-${String(i + 1).padStart(3, "0")}`,
    );
  return Array.from({ length: redis.shards }, (_, shard) =>
    Array.from(
      { length: redis.replicaCount + 1 },
      (_, node) => `${groupId}-${String(shard + 1).padStart(4, "0")}-${String(node + 1).padStart(3, "0")}`,
    ),
  ).flat();
}

/**
 * Per node, whatever its role today: after a failover the old primary becomes a replica and starts reporting
 * ReplicationLag while the new primary stops, so every node carries the lag alarm and a node that reports none
 * is not breaching. Metrics and thresholds follow cloudposse/terraform-aws-elasticache-redis's alarms
 * (EngineCPUUtilization, FreeableMemory) plus memory, evictions and connections.
 */
export function redisMemberAlarms(id: string, dimensions: Record<string, pulumi.Input<string>>): AlarmSpec[] {
  const alarm = (
    key: string,
    description: string,
    metric: string,
    statistic: AlarmSpec["statistic"],
    comparison: AlarmSpec["comparison"],
    threshold: number,
    extra: Partial<AlarmSpec> = {},
  ): AlarmSpec => ({
    key: `${id}-${key}`,
    description: `${id}: ${description}`,
    namespace: "AWS/ElastiCache",
    metric,
    dimensions,
    statistic,
    comparison,
    threshold,
    ...extra,
  });
  return [
    alarm(
      "memory",
      "Redis memory above 85 % of maxmemory",
      "DatabaseMemoryUsagePercentage",
      "Maximum",
      "GreaterThanThreshold",
      85,
    ),
    alarm(
      "evictions",
      "keys evicted (cache under memory pressure)",
      "Evictions",
      "Sum",
      "GreaterThanThreshold",
      1000,
      {
        periods: 2,
        missingData: "notBreaching",
      },
    ),
    // Redis runs one thread: EngineCPUUtilization, not host CPU, is what saturates.
    alarm(
      "engine-cpu",
      "Redis engine thread above 90 % CPU",
      "EngineCPUUtilization",
      "Average",
      "GreaterThanThreshold",
      90,
    ),
    alarm(
      "freeable-memory",
      "host freeable memory below 256 MiB",
      "FreeableMemory",
      "Minimum",
      "LessThanThreshold",
      256 * 1024 ** 2,
    ),
    // ElastiCache allows 65,000 clients; a climb past 5,000 means a connection leak in the app.
    alarm(
      "connections",
      "more than 5000 client connections",
      "CurrConnections",
      "Maximum",
      "GreaterThanThreshold",
      5000,
    ),
    alarm(
      "replication-lag",
      "replica more than 5 s behind",
      "ReplicationLag",
      "Maximum",
      "GreaterThanThreshold",
      5,
      {
        missingData: "notBreaching",
      },
    ),
  ];
}
