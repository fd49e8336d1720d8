// Which config key sets each resource property the pack checks, so a violation names what the user sets
// (offthegrid-database:postgresMultiAz), not the resource property (multiAz). A property the stack's code
// fixes has no key: its violation names the file that sets it instead. test/policy/config-keys.test.ts proves
// each key below by changing it in the prod stack under mocks and watching the property change, and that
// every violation of the pack names a key of the key table or a file.
import {
  ALARM,
  BACKUP_PLAN,
  BACKUP_VAULT,
  CONTAINER,
  EVENT_SUBSCRIPTION,
  RDS_INSTANCE,
  RDS_PARAMETER_GROUP,
  REMOTE_IMAGE,
  REPLICATION_GROUP,
  SECURITY_GROUP,
} from "./kit";

const PREFIX = "offthegrid-database:";

/** By resource type, then property: the config key whose value the property carries. */
export const PROPERTY_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [RDS_INSTANCE]: {
    multiAz: "postgresMultiAz",
    deletionProtection: "postgresDeletionProtection",
    backupRetentionPeriod: "postgresBackupRetentionDays",
    maxAllocatedStorage: "postgresMaxAllocatedStorageGb",
    maintenanceWindow: "postgresMaintenanceWindow",
    backupWindow: "postgresBackupWindow",
    manageMasterUserPassword: "postgresMasterPasswordMode",
    blueGreenUpdate: "postgresBlueGreenUpdate",
    replicas: "postgresReplicaCount",
    kmsKeyId: "kmsKeyArn",
  },
  [REPLICATION_GROUP]: {
    snapshotRetentionLimit: "redisSnapshotRetentionDays",
    engine: "redisEngine",
  },
  [SECURITY_GROUP]: { ingress: "allowedCidrs" },
  [BACKUP_PLAN]: { schedule: "backupStartTime" },
  [BACKUP_VAULT]: { region: "backupCopyRegion" },
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": {
    changeableForDays: "backupVaultComplianceLock",
  },
  "aws:*": { tags: "owner" },
};

/** Properties no config key sets: the file of the stack that fixes them. */
export const CODE_SET: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [RDS_INSTANCE]: {
    storageEncrypted: "stack/postgres/rds.ts",
    publiclyAccessible: "stack/postgres/rds.ts",
    skipFinalSnapshot: "stack/postgres/rds.ts",
    parameterGroupName: "stack/postgres/rds.ts",
    engine: "stack/postgres/rds.ts",
    engineVersion: "stack/postgres/rds.ts",
    autoMinorVersionUpgrade: "stack/postgres/rds.ts",
    performanceInsightsKmsKeyId: "stack/postgres/rds.ts",
    masterUserSecretKmsKeyId: "stack/postgres/rds.ts",
  },
  [REMOTE_IMAGE]: { name: "stack/local/service-container.ts" },
  [RDS_PARAMETER_GROUP]: { parameters: "stack/postgres/rds-parameters.ts" },
  "aws:elasticache/parameterGroup:ParameterGroup": { parameters: "stack/redis/stores.ts" },
  [REPLICATION_GROUP]: {
    transitEncryptionEnabled: "stack/redis/elasticache.ts",
    atRestEncryptionEnabled: "stack/redis/elasticache.ts",
    userGroupIds: "stack/redis/elasticache.ts",
    automaticFailoverEnabled: "stack/redis/elasticache.ts",
  },
  [CONTAINER]: {
    ports: "stack/local/service-container.ts",
    healthcheck: "stack/local/service-container.ts",
    envs: "stack/local/service-container.ts",
    uploads: "stack/redis/stores.ts",
  },
  [ALARM]: {
    treatMissingData: "stack/monitoring/alarms.ts",
    threshold: "stack/monitoring/alarm-specs.ts",
    alarms: "stack/monitoring/alarm-specs.ts",
  },
  [EVENT_SUBSCRIPTION]: { eventCategories: "stack/monitoring/alarms.ts" },
  "aws:rds/proxy:Proxy": { egress: "stack/postgres/proxy.ts" },
};

/** The config key of each image a dev stack pulls, by what the resource's name says it runs. */
const IMAGE_KEYS: readonly [RegExp, string][] = [
  [/commander/, "redisCommanderImage"],
  [/pgadmin/, "pgadminImage"],
  [/postgres/, "postgresImage"],
  [/redis/, "redisImage"],
];

/** The config key for `property` of a resource, if one sets it. */
export function configKeyOf(type: string, property: string, resourceName = ""): string | undefined {
  if (type === REMOTE_IMAGE && property === "name") {
    const image = IMAGE_KEYS.find(([re]) => re.test(resourceName));
    if (image) return image[1];
  }
  return (
    PROPERTY_KEYS[type]?.[property] ??
    (type.startsWith("aws:") ? PROPERTY_KEYS["aws:*"][property] : undefined)
  );
}

/**
 * The fix part of a violation: "set offthegrid-database:postgresMultiAz to true (multiAz)", or, for a
 * property the code fixes, "set multiAz to true in stack/postgres/rds.ts (no config key sets it)".
 */
export function fix(type: string, property: string, wanted: string, resourceName = ""): string {
  const key = configKeyOf(type, property, resourceName);
  const what = (name: string) => (wanted ? `${name} ${wanted}` : name);
  if (key) return `set ${what(PREFIX + key)} (${property})`;
  const file = CODE_SET[type]?.[property];
  if (!file) throw new Error(`policy/config-keys.ts: no config key or file for ${type} ${property}`);
  return `set ${what(property)} in ${file} (no config key sets it)`;
}
