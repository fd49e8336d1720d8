// From validated settings to the typed StackConfig the program and its components receive.
import { EPOCH_KEYS, HOST_PORT_KEYS, KeyName, keys } from "./keys";
import { localKeys } from "../local/keys";
import { AwsStackConfig, DockerStackConfig, Platform, StackConfig } from "./types";

/** Every key parsed or defaulted: what validateConfig hands over once it found no problem. */
export type Settings = { [K in KeyName]: ReturnType<(typeof keys)[K]["parse"]> };

interface Identity {
  readonly project: string;
  readonly stack: string;
  readonly platform: Platform;
  /** aws:region, the AWS provider's own key (AWS stacks only). */
  readonly region?: string;
}

function common(s: Settings, id: Identity) {
  return {
    project: id.project,
    stack: id.stack,
    environment: s.environment,
    owner: s.owner,
    postgresDatabase: s.postgresDatabase,
    rotation: {
      postgresAdmin: s.postgresAdminPasswordEpoch,
      postgresOwner: s.postgresOwnerPasswordEpoch,
      postgresApp: s.postgresAppPasswordEpoch,
      postgresReadonly: s.postgresReadonlyPasswordEpoch,
      redisAdmin: s.redisAdminPasswordEpoch,
      redisApp: s.redisAppPasswordEpoch,
      pgadmin: s.devToolsPasswordEpoch,
      redisCommander: s.devToolsPasswordEpoch,
    },
    redisAccess: { keyPatterns: s.redisAppKeyPatterns, scan: s.redisAppScan },
    redisCacheAccess: { keyPatterns: s.redisCacheKeyPatterns, scan: s.redisAppScan },
    epochs: Object.fromEntries(EPOCH_KEYS.map((k) => [k, s[k] as number])),
  };
}

function buildDocker(s: Settings, id: Identity): DockerStackConfig {
  return {
    ...common(s, id),
    platform: "docker",
    // The dev tools' ports (stack/local/keys.ts) are published only while devTools is on.
    hostPorts: Object.fromEntries(
      HOST_PORT_KEYS.filter((k) => s.devTools || !(k in localKeys)).map((k) => [k, s[k] as number]),
    ),
    postgres: { image: s.postgresImage, hostPort: s.postgresHostPort },
    redis: {
      image: s.redisImage,
      hostPort: s.redisHostPort,
      maxmemoryMb: s.redisMaxmemoryMb,
      retiredEpoch: { admin: s.redisAdminRetiredEpoch, app: s.redisAppRetiredEpoch },
      cache: { hostPort: s.redisCacheHostPort, maxmemoryMb: s.redisCacheMaxmemoryMb },
    },
    tools: {
      enabled: s.devTools,
      pgadminImage: s.pgadminImage,
      pgadminHostPort: s.pgadminHostPort,
      pgadminEmail: s.pgadminEmail,
      redisCommanderImage: s.redisCommanderImage,
      redisCommanderHostPort: s.redisCommanderHostPort,
    },
  };
}

const partitionOf = (region: string) =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";

/** "host:port" (already validated) as a structured endpoint; "" means none. */
function endpointOf(raw: string): { host: string; port: number } | undefined {
  if (!raw) return undefined;
  const colon = raw.lastIndexOf(":");
  return { host: raw.slice(0, colon), port: Number(raw.slice(colon + 1)) };
}

function awsPostgres(s: Settings): AwsStackConfig["postgres"] {
  return {
    instanceClass: s.postgresInstanceClass,
    replicaCount: s.postgresReplicaCount,
    allocatedStorageGb: s.postgresAllocatedStorageGb,
    maxAllocatedStorageGb: s.postgresMaxAllocatedStorageGb,
    maxConnections: s.postgresMaxConnections,
    multiAz: s.postgresMultiAz,
    backupRetentionDays: s.postgresBackupRetentionDays,
    backupWindow: s.postgresBackupWindow,
    maintenanceWindow: s.postgresMaintenanceWindow,
    deletionProtection: s.postgresDeletionProtection,
    iamAuth: s.postgresIamAuth,
    caCertIdentifier: s.postgresCaCertIdentifier,
    caBundlePath: s.postgresCaBundlePath,
    performanceInsightsRetentionDays: s.postgresPerformanceInsightsRetentionDays,
    monitoringIntervalSeconds: s.postgresMonitoringIntervalSeconds,
    proxy: s.rdsProxy,
    schemaEndpoint: endpointOf(s.schemaEndpoint),
    blueGreenUpdate: s.postgresBlueGreenUpdate,
    databaseInsightsMode: s.postgresDatabaseInsightsMode,
    masterPasswordMode: s.postgresMasterPasswordMode,
    crossRegionReplica: s.postgresCrossRegionReplicaRegion
      ? {
          region: s.postgresCrossRegionReplicaRegion,
          vpcId: s.postgresCrossRegionReplicaVpcId,
          subnets: s.postgresCrossRegionReplicaSubnets,
          allowedCidrs: s.postgresCrossRegionReplicaAllowedCidrs,
          allowedSecurityGroupIds: s.postgresCrossRegionReplicaAllowedSecurityGroupIds,
        }
      : undefined,
  };
}

function buildAws(s: Settings, id: Identity): AwsStackConfig {
  const region = id.region ?? "";
  return {
    ...common(s, id),
    platform: "aws",
    aws: {
      accountId: s.awsAccountId,
      region,
      partition: partitionOf(region),
      kmsKeyArn: s.kmsKeyArn,
      breakGlassRoleArn: s.kmsBreakGlassRoleArn,
    },
    network: {
      vpcId: s.vpcId,
      privateSubnets: s.privateSubnets,
      allowedCidrs: s.allowedCidrs,
      allowedSecurityGroupIds: s.allowedSecurityGroupIds,
      deployRunnerSecurityGroupIds: s.deployRunnerSecurityGroupIds,
    },
    postgres: awsPostgres(s),
    redis: {
      engine: s.redisEngine,
      nodeType: s.redisNodeType,
      cacheNodeType: s.redisCacheNodeType,
      replicaCount: s.redisReplicaCount,
      clusterMode: s.redisClusterMode,
      shards: s.redisShards,
      snapshotRetentionDays: s.redisSnapshotRetentionDays,
      snapshotWindow: s.redisSnapshotWindow,
      maintenanceWindow: s.redisMaintenanceWindow,
      retiredEpoch: { admin: s.redisAdminRetiredEpoch, app: s.redisAppRetiredEpoch },
      applyImmediately: s.redisApplyImmediately,
    },
    backup: {
      copyRegion: s.backupCopyRegion,
      retentionDays: s.backupRetentionDays,
      vaultLock: s.backupVaultLock,
      complianceLock: s.backupVaultComplianceLock,
      maxRetentionDays: s.backupVaultMaxRetentionDays,
      startTime: s.backupStartTime,
    },
    alarmEmail: s.alarmEmail,
    logRetentionDays: s.logRetentionDays,
  };
}

export function buildConfig(s: Settings, id: Identity): StackConfig {
  return id.platform === "docker" ? buildDocker(s, id) : buildAws(s, id);
}
