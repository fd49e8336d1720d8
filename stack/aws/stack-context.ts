// What the seams of AwsDataStores share (stack/aws/data-stores.ts composes them): its args, the context every
// seam receives, the stores it built, and the ordering helper for resources that must wait for the replicas.
import * as pulumi from "@pulumi/pulumi";
import type { AwsStackConfig, CredentialName } from "../config/types";
import type { Tags } from "./tags";
import type { CrossRegionReadReplica } from "../postgres/cross-region-replica";
import type { RdsPostgres } from "../postgres/rds";
import type { ElastiCacheRedis } from "../redis/elasticache";

export type Passwords = Readonly<Record<CredentialName, pulumi.Output<string>>>;

export interface AwsDataStoresArgs {
  readonly config: AwsStackConfig;
  readonly passwords: Passwords;
  readonly previousPasswords: Readonly<Partial<Passwords>>;
  /** PEM bundle of the RDS CAs, for verify-full connections. */
  readonly caBundle: string;
}

/** What every seam below needs: the config, names, tags, the data key and this component as parent. */
export interface Ctx {
  readonly name: string;
  readonly args: AwsDataStoresArgs;
  readonly config: AwsStackConfig;
  readonly prefix: string;
  readonly tags: Tags;
  readonly keyArn: pulumi.Output<string>;
  readonly parent: { parent: pulumi.Resource };
}

export interface Stores {
  readonly postgres: RdsPostgres;
  /** postgresCrossRegionReplicaRegion: the encrypted read replica in the second region. */
  readonly crossRegion?: CrossRegionReadReplica;
  readonly redis: ElastiCacheRedis;
  /** The cache store (allkeys-lru) beside the state store. */
  readonly redisCache: ElastiCacheRedis;
}

/**
 * A primary attribute that resolves only once every replica exists: attaching the proxy target or starting
 * automated-backups replication while RDS creates a replica fails with InvalidDBInstanceState.
 */
export function afterReplicas(stores: Stores, value: pulumi.Output<string>): pulumi.Output<string> {
  const replicas = [
    ...stores.postgres.replicas,
    ...(stores.crossRegion ? [stores.crossRegion.instance] : []),
  ];
  return pulumi.all([value, ...replicas.map((r) => r.identifier)]).apply(([v]) => v);
}
