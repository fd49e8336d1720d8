// The config values ReplacementGuard (stack/aws/replacement-guard.ts) compares with the previous
// deployment's: each feeds a ForceNew property of a protected resource, or a change AWS refuses half-way
// through an update. Pure, so which keys are guarded (and when) is tested without Pulumi.
import type { AwsStackConfig } from "../config/types";
import type { GuardedValue } from "./replacement-guard";
import { replicaZones } from "../postgres/replica-placement";
import { masterPasswordGuard } from "../postgres/keys";

export function guardedConfig(config: AwsStackConfig): Record<string, GuardedValue> {
  const pg = config.postgres;
  return {
    postgresDatabase: { value: config.postgresDatabase, replaces: "the RDS primary (dbName)" },
    kmsKeyArn: {
      value: config.aws.kmsKeyArn,
      replaces: "the RDS primary and the Redis replication group (kmsKeyId)",
    },
    // availabilityZone is ForceNew on a replica: a subnet change that moves one must be refused by name.
    privateSubnets: {
      value: replicaZones(
        config.network.privateSubnets.map((s) => s.availabilityZone),
        pg.replicaCount,
      )
        .map((zone, i) => `replica-${i + 1}=${zone}`)
        .join(","),
      replaces: "RDS read replicas (availabilityZone)",
    },
    // A replica's region is ForceNew (and its kmsKeyId with it): moving it would copy the database again.
    postgresCrossRegionReplicaRegion: {
      value: pg.crossRegionReplica?.region ?? "",
      replaces: "the cross-region read replica (region, kmsKeyId)",
      emptyMeansAbsent: true,
    },
    // Redis OSS -> Valkey is an in-place upgrade; ElastiCache documents no way back, so only that change is
    // refused.
    redisEngine: {
      value: config.redis.engine,
      replaces: "the ElastiCache replication group (engine)",
      enforced: config.redis.engine === "redis",
      because:
        "ElastiCache upgrades Redis OSS to Valkey in place but documents no way back (ElastiCache guide, " +
        '"Upgrading engine versions including cross engine upgrades"). Keep valkey, or build a new Redis OSS ' +
        "cache from a snapshot deliberately.",
    },
    postgresAdminPasswordEpoch: masterPasswordGuard(pg, config.rotation.postgresAdmin),
  };
}
