// The ElastiCache alarms: one set per node of the replication group, whatever its role today. Pure data,
// composed by stack/monitoring/alarm-specs.ts.
import type * as pulumi from "@pulumi/pulumi";
import type { ElastiCacheSettings } from "../redis/elasticache-settings";
import type { AlarmSpec } from "./alarm-spec";

/** A node of the replication group: a stable alarm key, and its cache cluster id (from memberClusters). */
export interface RedisMember {
  readonly key: string;
  readonly id: pulumi.Input<string>;
}

/** Member cluster ids ElastiCache gives a replication group's nodes. */
export function redisMemberIds(
  groupId: string,
  redis: Pick<ElastiCacheSettings, "clusterMode" | "replicaCount" | "shards">,
): string[] {
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
 * ReplicationLag while the new primary stops, so every node carries the lag alarm and a node that reports
 * none is not breaching. Metrics and thresholds follow cloudposse/terraform-aws-elasticache-redis's alarms
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
