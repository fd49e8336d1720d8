// The validated, typed view of a stack's config. Components receive pieces of this, never `pulumi.Config`.
import type { Environment } from "./keys";

export { CREDENTIALS } from "../credentials/credential-names";
export type { CredentialName } from "../credentials/credential-names";
import type { CredentialName } from "../credentials/credential-names";
import type { CrossRegionReplica, RdsSettings } from "../postgres/rds-settings";
import type { ElastiCacheSettings } from "../redis/elasticache-settings";
import type { BackupSettings } from "../backup/backups";
export type { CrossRegionReplica } from "../postgres/rds-settings";

export type Platform = "docker" | "aws";

interface CommonConfig {
  readonly project: string;
  readonly stack: string;
  readonly environment: Environment;
  readonly owner: string;
  readonly postgresDatabase: string;
  /** Rotation epoch per generated credential; bumping one regenerates just that password. */
  readonly rotation: Readonly<Record<CredentialName, number>>;
  /**
   * What the Redis app user may touch (stack/redis/access.ts renders it for the dev ACL and ElastiCache
   * RBAC).
   */
  readonly redisAccess: { readonly keyPatterns: readonly string[]; readonly scan: boolean };
  /** The same for the cache store (redisCacheKeyPatterns; SCAN as redisAppScan). */
  readonly redisCacheAccess: { readonly keyPatterns: readonly string[]; readonly scan: boolean };
  /**
   * Every `…Epoch` key's value, by key name: each may only move forward (stack/credentials/epoch-guard.ts).
   */
  readonly epochs: Readonly<Record<string, number>>;
}

export interface DockerStackConfig extends CommonConfig {
  readonly platform: "docker";
  /** Every host port the stack publishes, by config key (stack/local/store-guard.ts probes them). */
  readonly hostPorts: Readonly<Record<string, number>>;
  readonly postgres: { readonly image: string; readonly hostPort: number };
  readonly redis: {
    readonly image: string;
    readonly hostPort: number;
    readonly maxmemoryMb: number;
    /** Epochs whose previous password has been retired (see the rotation runbook). */
    readonly retiredEpoch: { readonly admin: number; readonly app: number };
    /** The cache store (allkeys-lru) beside the state store above. */
    readonly cache: { readonly hostPort: number; readonly maxmemoryMb: number };
  };
  readonly tools: {
    readonly enabled: boolean;
    readonly pgadminImage: string;
    readonly pgadminHostPort: number;
    readonly pgadminEmail: string;
    readonly redisCommanderImage: string;
    readonly redisCommanderHostPort: number;
  };
}

export type { Subnet } from "./aws-parsers";
import type { Subnet } from "./aws-parsers";

export interface AwsStackConfig extends CommonConfig {
  readonly platform: "aws";
  readonly aws: {
    readonly accountId: string;
    readonly region: string;
    readonly partition: string;
    /** Empty: the stack creates its own key. */
    readonly kmsKeyArn: string;
    /** The only principal allowed kms:ScheduleKeyDeletion on the stack's keys; empty: nobody. */
    readonly breakGlassRoleArn: string;
  };
  readonly network: {
    readonly vpcId: string;
    readonly privateSubnets: readonly Subnet[];
    readonly allowedCidrs: readonly string[];
    readonly allowedSecurityGroupIds: readonly string[];
    /** The deploy runner's groups: PostgreSQL only, for the schema step. */
    readonly deployRunnerSecurityGroupIds: readonly string[];
  };
  /** The RDS settings (stack/postgres/rds-settings.ts) and what only the assembly reads. */
  readonly postgres: RdsSettings & {
    readonly caBundlePath: string;
    readonly proxy: boolean;
    /** An encrypted read replica in a second region; undefined: none. */
    readonly crossRegionReplica?: CrossRegionReplica;
    /** A tunnel to the primary for applying the schema; undefined uses the writer endpoint. */
    readonly schemaEndpoint?: { readonly host: string; readonly port: number };
  };
  /** The state store's settings; the cache store takes them all but the node type. */
  readonly redis: ElastiCacheSettings & { readonly cacheNodeType: string };
  readonly backup: BackupSettings;
  readonly alarmEmail: string;
  readonly logRetentionDays: number;
}

export type StackConfig = DockerStackConfig | AwsStackConfig;
