// The RDS alarms and their thresholds: every instance's, the writer's own, a replica's lag, and RDS Proxy's
// availability. Pure data, composed by stack/monitoring/alarm-specs.ts.
import type { RdsSettings } from "../postgres/rds-settings";

/** What the instance alarms are sized by. */
export type InstanceAlarmSettings = Pick<
  RdsSettings,
  "allocatedStorageGb" | "instanceClass" | "maxConnections"
>;
import type { AlarmSpec } from "./alarm-spec";
import { instanceMemoryGiB } from "../postgres/instance-classes";

/**
 * RDS storage autoscaling grows an instance once free space stays below 10 % of its *current* allocation (RDS
 * user guide, "Managing capacity automatically with Amazon RDS storage autoscaling"). CloudWatch has no
 * allocated-storage metric, so an alarm cannot follow the current allocation: it pages below half of what the
 * autoscaler reacts to at the initial size, which a working autoscaler never lets happen. Nearing the ceiling
 * (maxAllocatedStorage) is RDS's own event RDS-EVENT-0225 ("notification" category), subscribed in
 * stack/monitoring/alarms.ts.
 */
export const FREE_STORAGE_ALARM_FRACTION = 0.05;

/**
 * PostgreSQL stops assigning XIDs at 2^31 - 3 million; page at half way (RDS user guide, "transaction ID
 * wraparound").
 */
export const MAX_USED_XIDS_THRESHOLD = 1_000_000_000;

const rds = (id: string): Record<string, string> => ({ DBInstanceIdentifier: id });

export function replicaLagAlarm(id: string, seconds: number): AlarmSpec {
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
export function instanceAlarms(pg: InstanceAlarmSettings, id: string): AlarmSpec[] {
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

/**
 * Metrics only the writer reports (RDS user guide, "Amazon CloudWatch metrics for Amazon RDS", PostgreSQL).
 */
export function primaryAlarms(id: string, logicalReplication: boolean): AlarmSpec[] {
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

/**
 * RDS Proxy reports target health as AvailabilityPercentage (RDS user guide, "Monitoring RDS Proxy metrics").
 */
export function proxyAlarm(proxyName: string): AlarmSpec {
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
