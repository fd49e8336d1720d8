// Which alarms the stack raises, and at what thresholds: pure, so the list is testable without resources.
import type { AwsStackConfig } from "../../config/types";
import { instanceMemoryGiB } from "./instance-classes";

/** One CloudWatch alarm, described as data; components/aws/alarms.ts turns each into a MetricAlarm. */
export interface AlarmSpec {
  readonly key: string;
  readonly description: string;
  readonly namespace: "AWS/RDS" | "AWS/ElastiCache";
  readonly metric: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: "Average" | "Maximum" | "Minimum" | "Sum";
  readonly comparison: "GreaterThanThreshold" | "LessThanThreshold";
  readonly threshold: number;
  /** Consecutive 5-minute periods before it fires. */
  readonly periods?: number;
}

export function databaseAlarms(
  config: AwsStackConfig,
  ids: { primary: string; replicas: string[]; redisMembers: string[] },
): AlarmSpec[] {
  const pg = config.postgres;
  const rds = (id: string): Record<string, string> => ({ DBInstanceIdentifier: id });
  const perInstance = [ids.primary, ...ids.replicas].flatMap((id): AlarmSpec[] => [
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
      description: `${id}: less than 10 % of allocated storage free`,
      namespace: "AWS/RDS",
      metric: "FreeStorageSpace",
      dimensions: rds(id),
      statistic: "Minimum",
      comparison: "LessThanThreshold",
      threshold: pg.allocatedStorageGb * 1024 ** 3 * 0.1,
      periods: 1,
    },
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
  ]);
  const replicaLag = ids.replicas.map((id): AlarmSpec => ({
    key: `${id}-replica-lag`,
    description: `${id}: replica more than 60 s behind`,
    namespace: "AWS/RDS",
    metric: "ReplicaLag",
    dimensions: rds(id),
    statistic: "Maximum",
    comparison: "GreaterThanThreshold",
    threshold: 60,
  }));
  const cache = (id: string): Record<string, string> => ({ CacheClusterId: id });
  const redis = ids.redisMembers.flatMap((id, index): AlarmSpec[] => [
    {
      key: `${id}-memory`,
      description: `${id}: Redis memory above 85 % of maxmemory`,
      namespace: "AWS/ElastiCache",
      metric: "DatabaseMemoryUsagePercentage",
      dimensions: cache(id),
      statistic: "Maximum",
      comparison: "GreaterThanThreshold",
      threshold: 85,
    },
    {
      key: `${id}-evictions`,
      description: `${id}: keys evicted (cache under memory pressure)`,
      namespace: "AWS/ElastiCache",
      metric: "Evictions",
      dimensions: cache(id),
      statistic: "Sum",
      comparison: "GreaterThanThreshold",
      threshold: 1000,
      periods: 2,
    },
    ...(index === 0
      ? []
      : [
          {
            key: `${id}-replication-lag`,
            description: `${id}: replica more than 5 s behind`,
            namespace: "AWS/ElastiCache" as const,
            metric: "ReplicationLag",
            dimensions: cache(id),
            statistic: "Maximum" as const,
            comparison: "GreaterThanThreshold" as const,
            threshold: 5,
          },
        ]),
  ]);
  return [...perInstance, ...replicaLag, ...redis];
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
