// PostgreSQL on RDS: encryption, exposure, protection, parameter groups, engine pinning, replicas
// (same-region and cross-region), and blue/green updates.
import type { StackValidationPolicy } from "@pulumi/policy";
import {
  RDS_INSTANCE,
  RDS_PARAMETER_GROUP,
  Props,
  onType,
  isPrimary,
  sourceOf,
  resourcePolicy,
  isArn,
} from "./kit";
import { fixes } from "./fixes";

/** The config key or stack file behind each property this file's rules report on (policy/fixes.ts). */
export const postgresFixes = fixes("policy/postgres.ts", {
  propertyKeys: {
    [RDS_INSTANCE]: {
      multiAz: "postgresMultiAz",
      deletionProtection: "postgresDeletionProtection",
      maxAllocatedStorage: "postgresMaxAllocatedStorageGb",
      maintenanceWindow: "postgresMaintenanceWindow",
      manageMasterUserPassword: "postgresMasterPasswordMode",
      blueGreenUpdate: "postgresBlueGreenUpdate",
      replicas: "postgresReplicaCount",
      kmsKeyId: "kmsKeyArn",
    },
  },
  codeSet: {
    [RDS_INSTANCE]: {
      storageEncrypted: "stack/postgres/rds.ts",
      publiclyAccessible: "stack/postgres/rds.ts",
      parameterGroupName: "stack/postgres/rds.ts",
      engine: "stack/postgres/rds.ts",
      engineVersion: "stack/postgres/rds.ts",
      autoMinorVersionUpgrade: "stack/postgres/rds.ts",
    },
    [RDS_PARAMETER_GROUP]: { parameters: "stack/postgres/rds-parameters.ts" },
  },
});
const { fix } = postgresFixes;

export const rdsStorageEncrypted = () =>
  resourcePolicy(
    "rds-storage-encrypted",
    "RDS primaries encrypt storage (replicas inherit it from their source).",
    onType(RDS_INSTANCE, (p, a, report) => {
      // Same-region replicas inherit encryption and must not set it: rds-replica-matches-source checks them.
      if (!isPrimary(p)) return;
      if (p.storageEncrypted !== true)
        report(
          `RDS instance ${a.name} must have storage encryption enabled: ${fix(RDS_INSTANCE, "storageEncrypted", "to true")}; its key is ${fix(RDS_INSTANCE, "kmsKeyId", "(empty: the stack's own key)")}.`,
        );
    }),
  );

export const rdsNotPublic = () =>
  resourcePolicy(
    "rds-not-public",
    "RDS instances are not reachable from the internet.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (p.publiclyAccessible === true)
        report(
          `RDS instance ${a.name} must not be publicly accessible: ${fix(RDS_INSTANCE, "publiclyAccessible", "to false")}.`,
        );
    }),
  );

export const rdsDeletionProtection = () =>
  resourcePolicy(
    "rds-deletion-protection",
    "RDS primaries have deletion protection on.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (isPrimary(p) && p.deletionProtection !== true)
        report(
          `RDS instance ${a.name} must have deletion protection: ${fix(RDS_INSTANCE, "deletionProtection", "to true")}.`,
        );
    }),
  );

export const rdsMultiAz = () =>
  resourcePolicy(
    "rds-multi-az",
    "RDS primaries run Multi-AZ.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (isPrimary(p) && p.multiAz !== true)
        report(`RDS instance ${a.name} must run Multi-AZ: ${fix(RDS_INSTANCE, "multiAz", "to true")}.`);
    }),
  );

export const rdsCustomParameterGroup = () =>
  resourcePolicy(
    "rds-custom-parameter-group",
    "RDS instances use the stack's parameter group, not a default one.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (!p.parameterGroupName || String(p.parameterGroupName).startsWith("default.")) {
        report(
          `RDS instance ${a.name} must use a custom parameter group that forces SSL: ${fix(RDS_INSTANCE, "parameterGroupName", "to the stack's group")}.`,
        );
      }
    }),
  );

export const rdsParameterGroupForcesSsl = () =>
  resourcePolicy(
    "rds-parameter-group-forces-ssl",
    "PostgreSQL parameter groups set rds.force_ssl=1.",
    onType(RDS_PARAMETER_GROUP, (p, a, report) => {
      if (!String(p.family ?? "").startsWith("postgres")) return;
      const forceSsl = (p.parameters ?? []).find((x: Props) => x.name === "rds.force_ssl");
      if (forceSsl?.value !== "1")
        report(
          `RDS parameter group ${a.name} must force TLS: ${fix(RDS_PARAMETER_GROUP, "parameters", "to include rds.force_ssl = 1")}.`,
        );
    }),
  );

export const rdsEngineMajorPinned = () =>
  resourcePolicy(
    "rds-engine-major-pinned",
    "RDS primaries pin only the engine major version, with automatic minor upgrades.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (!isPrimary(p)) return;
      if (!/^\d+$/.test(String(p.engineVersion ?? ""))) {
        report(
          `RDS instance ${a.name} must pin the engine major version only (engineVersion: "17", not "${p.engineVersion ?? ""}"): a minor pin shows a downgrade diff after AWS upgrades; ${fix(RDS_INSTANCE, "engineVersion", "to the major only")}.`,
        );
      }
      if (p.autoMinorVersionUpgrade === false)
        report(
          `RDS instance ${a.name} must allow automatic minor upgrades: ${fix(RDS_INSTANCE, "autoMinorVersionUpgrade", "to true")}.`,
        );
    }),
  );

export const rdsReplicaMatchesSource = (): StackValidationPolicy => ({
  name: "rds-replica-matches-source",
  description: "Read replicas are encrypted and run the same engine as their source.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === RDS_INSTANCE);
    for (const replica of instances.filter((r) => r.props.replicateSourceDb)) {
      const source = sourceOf(instances, replica);
      // A same-region replica inherits encryption from its source and must not set a key
      // (CreateDBInstanceReadReplica).
      const encrypted = replica.props.storageEncrypted ?? source?.props.storageEncrypted;
      if (encrypted !== true)
        report(
          `RDS replica ${replica.name} must be encrypted: encrypt its source (same-region replicas inherit encryption) or ${fix(RDS_INSTANCE, "storageEncrypted", "to true")}.`,
          replica.urn,
        );
      if (source && replica.props.engine !== source.props.engine) {
        report(
          `RDS replica ${replica.name} runs ${replica.props.engine} but its source ${source.name} runs ${source.props.engine}: ${fix(RDS_INSTANCE, "engine", "the same on both")}.`,
          replica.urn,
        );
      }
    }
  },
});

/** A replica that cannot grow fills up and stops replicating while its primary keeps growing. */
export const rdsReplicaAutoscales = (): StackValidationPolicy => ({
  name: "rds-replica-storage-autoscaling",
  description: "RDS read replicas autoscale storage at least as far as their source.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === RDS_INSTANCE);
    for (const replica of instances.filter((r) => r.props.replicateSourceDb)) {
      const source = sourceOf(instances, replica);
      const ceiling = source?.props.maxAllocatedStorage ?? 0;
      if ((replica.props.maxAllocatedStorage ?? 0) < ceiling) {
        report(
          `RDS replica ${replica.name} autoscales to ${replica.props.maxAllocatedStorage ?? "no"} GiB but its source ${source!.name} to ${ceiling} GiB: ${fix(RDS_INSTANCE, "maxAllocatedStorage", `to at least ${ceiling}`)}.`,
          replica.urn,
        );
      }
    }
  },
});

/**
 * terraform-provider-aws (internal/service/rds/instance.go, update): with blue_green_update it switches over
 * and deletes the old primary with SkipFinalSnapshot; replicas are not followed (their resources name "-old1"
 * instances afterwards). AWS: blue/green does not support Secrets Manager-managed master passwords (RDS user
 * guide, "Limitations and considerations for blue/green deployments").
 */
export const rdsBlueGreenCompatible = (): StackValidationPolicy => ({
  name: "rds-blue-green-compatible",
  description:
    "An RDS primary updated through blue/green has no read replicas in the stack and no RDS-managed master password.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === RDS_INSTANCE);
    for (const db of instances.filter(
      (r) => isPrimary(r.props) && r.props.blueGreenUpdate?.enabled === true,
    )) {
      const replicas = instances.filter((r) => sourceOf(instances, r) === db);
      if (replicas.length)
        report(
          `RDS instance ${db.name} updates through blue/green but has read replicas (${replicas.map((r) => r.name).join(", ")}): after a switchover they name the old instances. Turn blue/green off (${fix(RDS_INSTANCE, "blueGreenUpdate", "to false")}) or drop the replicas (${fix(RDS_INSTANCE, "replicas", "to 0")}).`,
          db.urn,
        );
      if (db.props.manageMasterUserPassword === true)
        report(
          `RDS instance ${db.name} updates through blue/green with manageMasterUserPassword: blue/green deployments do not support RDS-managed master passwords. Turn one off: ${fix(RDS_INSTANCE, "blueGreenUpdate", "to false")}, or ${fix(RDS_INSTANCE, "manageMasterUserPassword", "to generated")}.`,
          db.urn,
        );
    }
  },
});

/**
 * Without a window AWS assigns each replica a random 30-minute one (RDS user guide, "Maintaining a DB
 * instance").
 */
export const rdsReplicaMaintenanceWindow = () =>
  resourcePolicy(
    "rds-replica-maintenance-window",
    "RDS read replicas set their maintenance window.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (!isPrimary(p) && !p.maintenanceWindow)
        report(
          `RDS replica ${a.name} has no maintenanceWindow: AWS picks a random one. ${fix(RDS_INSTANCE, "maintenanceWindow", "(replicas get the windows after the primary's)")}.`,
        );
    }),
  );

/**
 * A cross-region replica is in another region than its source's key (KMS keys are regional):
 * CreateDBInstanceReadReplica needs KmsKeyId for an encrypted cross-region replica, and without encryption
 * the copy in the second region is readable to whoever gets its storage.
 */
export const rdsCrossRegionReplicaEncrypted = () =>
  resourcePolicy(
    "rds-cross-region-replica-encrypted",
    "A cross-region RDS read replica is encrypted with a key of its own region.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (!isArn(p.replicateSourceDb)) return;
      if (p.storageEncrypted !== true || !p.kmsKeyId)
        report(
          `RDS replica ${a.name} replicates ${p.replicateSourceDb} across regions: ${fix(RDS_INSTANCE, "storageEncrypted", "to true")}, with a KMS key in the replica's region.`,
        );
    }),
  );

export const postgresPolicies = [
  rdsStorageEncrypted(),
  rdsNotPublic(),
  rdsDeletionProtection(),
  rdsMultiAz(),
  rdsCustomParameterGroup(),
  rdsParameterGroupForcesSsl(),
  rdsEngineMajorPinned(),
  rdsReplicaMatchesSource(),
  rdsReplicaAutoscales(),
  rdsBlueGreenCompatible(),
  rdsReplicaMaintenanceWindow(),
  rdsCrossRegionReplicaEncrypted(),
];
