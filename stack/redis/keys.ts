// AWS keys for ElastiCache Redis: engine, node type, replicas and sharding, snapshots, windows, password retirement.
import { boolean, integer, oneOf } from "../config/key-spec";
import { aws, cacheNodeType, weeklyWindow, window } from "../config/aws-parsers";

export const awsRedisKeys = {
  redisEngine: aws<"redis" | "valkey">({
    type: "string",
    default: "redis",
    parse: oneOf(["redis", "valkey"]),
    description:
      "ElastiCache engine: redis (Redis OSS 7.1) or valkey (Valkey 8.0, API-compatible, up to 20 % lower node price). " +
      "redis to valkey is an in-place upgrade; the way back is refused.",
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
};
