// The validated, typed view of a stack's config. Components receive pieces of this, never `pulumi.Config`.
import type { Environment } from "./keys";

export const CREDENTIALS = [
  "postgresAdmin",
  "postgresOwner",
  "postgresApp",
  "postgresReadonly",
  "redisAdmin",
  "redisApp",
  "pgadmin",
  "redisCommander",
] as const;
export type CredentialName = (typeof CREDENTIALS)[number];

export type Platform = "docker" | "aws";

interface CommonConfig {
  readonly project: string;
  readonly stack: string;
  readonly environment: Environment;
  readonly owner: string;
  readonly postgresDatabase: string;
  /** Rotation epoch per generated credential; bumping one regenerates just that password. */
  readonly rotation: Readonly<Record<CredentialName, number>>;
  /** What the Redis app user may touch (stack/redis/access.ts renders it for the dev ACL and ElastiCache RBAC). */
  readonly redisAccess: { readonly keyPatterns: readonly string[]; readonly scan: boolean };
}

export interface DockerStackConfig extends CommonConfig {
  readonly platform: "docker";
  readonly postgres: { readonly image: string; readonly hostPort: number };
  readonly redis: {
    readonly image: string;
    readonly hostPort: number;
    readonly maxmemoryMb: number;
    /** Epochs whose previous password has been retired (see the rotation runbook). */
    readonly retiredEpoch: { readonly admin: number; readonly app: number };
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

export interface CrossRegionReplica {
  readonly region: string;
  readonly vpcId: string;
  readonly subnets: readonly Subnet[];
  readonly allowedCidrs: readonly string[];
  readonly allowedSecurityGroupIds: readonly string[];
}

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
  readonly postgres: {
    readonly instanceClass: string;
    readonly replicaCount: number;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    readonly maxConnections: number;
    readonly multiAz: boolean;
    readonly backupRetentionDays: number;
    readonly backupWindow: string;
    readonly maintenanceWindow: string;
    readonly deletionProtection: boolean;
    readonly iamAuth: boolean;
    readonly caCertIdentifier: string;
    readonly caBundlePath: string;
    readonly performanceInsightsRetentionDays: number;
    readonly monitoringIntervalSeconds: number;
    readonly proxy: boolean;
    readonly blueGreenUpdate: boolean;
    readonly databaseInsightsMode: "standard" | "advanced";
    /** generated: the stack's write-only password; managed: RDS's own Secrets Manager secret (no replicas). */
    readonly masterPasswordMode: "generated" | "managed";
    /** An encrypted read replica in a second region; undefined: none. */
    readonly crossRegionReplica?: CrossRegionReplica;
    /** A tunnel to the primary for applying the schema; undefined uses the writer endpoint. */
    readonly schemaEndpoint?: { readonly host: string; readonly port: number };
  };
  readonly redis: {
    /** Redis OSS or Valkey (stack/redis/cache-engine.ts). */
    readonly engine: "redis" | "valkey";
    readonly nodeType: string;
    readonly replicaCount: number;
    readonly clusterMode: boolean;
    readonly shards: number;
    readonly snapshotRetentionDays: number;
    readonly snapshotWindow: string;
    readonly maintenanceWindow: string;
    /** Epochs whose previous password has been retired (see the rotation runbook). */
    readonly retiredEpoch: { readonly admin: number; readonly app: number };
    /** Apply changes now (a node-type change fails over) rather than in the maintenance window. */
    readonly applyImmediately: boolean;
  };
  readonly backup: {
    readonly copyRegion: string;
    readonly retentionDays: number;
    /** Governance-mode lock (can be lifted with backup:BypassVaultLockGovernance). */
    readonly vaultLock: boolean;
    /** Explicit opt-in: compliance mode after the 3-day grace period; irreversible. */
    readonly complianceLock: boolean;
    readonly maxRetentionDays: number;
    /** hh:mm UTC, start of the daily AWS Backup start window. */
    readonly startTime: string;
  };
  readonly alarmEmail: string;
  readonly logRetentionDays: number;
}

export type StackConfig = DockerStackConfig | AwsStackConfig;
