// Which alarms the stack raises, and at what thresholds: pure, so the list is testable without resources.
import type * as pulumi from "@pulumi/pulumi";
import type { AwsStackConfig } from "../../config/types";
import type { AlarmSpec } from "../../components/aws/alarms";
import { instanceMemoryGiB } from "./instance-classes";

/** A node of the replication group: a stable alarm key, and its cache cluster id (from memberClusters). */
export interface RedisMember {
  readonly key: string;
  readonly id: pulumi.Input<string>;
}

export function databaseAlarms(
  config: AwsStackConfig,
  ids: { primary: string; replicas: string[]; redisMembers: RedisMember[] },
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
    missingData: "notBreaching",
  }));
  const redis = ids.redisMembers.flatMap((m) => redisMemberAlarms(m.key, { CacheClusterId: m.id }));
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
