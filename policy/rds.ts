// RDS rules: encryption, exposure, backups, protection and engine pinning of instances and parameter groups.
import type { StackValidationPolicy } from "@pulumi/policy";
import { RDS_INSTANCE, RDS_PARAMETER_GROUP, Props, isPrimary, onType, resourcePolicy, sourceOf } from "./kit";

export const rdsStorageEncrypted = () =>
  resourcePolicy(
    "rds-storage-encrypted",
    "RDS primaries encrypt storage (replicas inherit it from their source).",
    onType(RDS_INSTANCE, (p, a, report) => {
      // Same-region replicas inherit encryption and must not set it: rds-replica-matches-source checks them.
      if (!isPrimary(p)) return;
      if (p.storageEncrypted !== true)
        report(
          `RDS instance ${a.name} must have storage encryption enabled: set storageEncrypted: true (and kmsKeyId).`,
        );
    }),
  );

export const rdsNotPublic = () =>
  resourcePolicy(
    "rds-not-public",
    "RDS instances are not reachable from the internet.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (p.publiclyAccessible === true)
        report(`RDS instance ${a.name} must not be publicly accessible: set publiclyAccessible: false.`);
    }),
  );

export const rdsBackupRetention = () =>
  resourcePolicy(
    "rds-backup-retention",
    "RDS primaries keep automated backups (point-in-time recovery) for at least minimumDays.",
    (args, report) => {
      if (args.type !== RDS_INSTANCE || !isPrimary(args.props)) return;
      const { minimumDays } = args.getConfig<{ minimumDays: number }>();
      const days = args.props.backupRetentionPeriod ?? 0;
      if (days < minimumDays) {
        report(
          `RDS instance ${args.name} keeps backups for ${days} day(s); set backupRetentionPeriod to at least ${minimumDays}.`,
        );
      }
    },
    { properties: { minimumDays: { type: "integer", default: 7, minimum: 0, maximum: 35 } } },
  );

export const rdsDeletionProtection = () =>
  resourcePolicy(
    "rds-deletion-protection",
    "RDS primaries have deletion protection on.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (isPrimary(p) && p.deletionProtection !== true)
        report(`RDS instance ${a.name} must have deletion protection: set deletionProtection: true.`);
    }),
  );

export const rdsMultiAz = () =>
  resourcePolicy(
    "rds-multi-az",
    "RDS primaries run Multi-AZ.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (isPrimary(p) && p.multiAz !== true)
        report(`RDS instance ${a.name} must run Multi-AZ: set multiAz: true.`);
    }),
  );

export const rdsFinalSnapshot = () =>
  resourcePolicy(
    "rds-final-snapshot",
    "Deleting an RDS primary leaves a final snapshot.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (isPrimary(p) && (p.skipFinalSnapshot === true || !p.finalSnapshotIdentifier)) {
        report(
          `RDS instance ${a.name} must take a final snapshot: set skipFinalSnapshot: false and a unique finalSnapshotIdentifier.`,
        );
      }
    }),
  );

export const rdsPerformanceInsightsEncrypted = () =>
  resourcePolicy(
    "rds-performance-insights-encrypted",
    "Performance Insights data is encrypted with a customer key.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (p.performanceInsightsEnabled === true && !p.performanceInsightsKmsKeyId) {
        report(`RDS instance ${a.name} must encrypt Performance Insights: set performanceInsightsKmsKeyId.`);
      }
    }),
  );

export const rdsCustomParameterGroup = () =>
  resourcePolicy(
    "rds-custom-parameter-group",
    "RDS instances use the stack's parameter group, not a default one.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (!p.parameterGroupName || String(p.parameterGroupName).startsWith("default.")) {
        report(
          `RDS instance ${a.name} must use a custom parameter group that forces SSL: set parameterGroupName.`,
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
        report(`RDS parameter group ${a.name} must force TLS: add parameter rds.force_ssl = 1.`);
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
          `RDS instance ${a.name} must pin the engine major version only (engineVersion: "17", not "${p.engineVersion ?? ""}"): a minor pin shows a downgrade diff after AWS upgrades.`,
        );
      }
      if (p.autoMinorVersionUpgrade === false)
        report(
          `RDS instance ${a.name} must allow automatic minor upgrades: set autoMinorVersionUpgrade: true.`,
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
      // A same-region replica inherits encryption from its source and must not set a key (CreateDBInstanceReadReplica).
      const encrypted = replica.props.storageEncrypted ?? source?.props.storageEncrypted;
      if (encrypted !== true)
        report(
          `RDS replica ${replica.name} must be encrypted: encrypt its source (same-region replicas inherit encryption) or set storageEncrypted: true.`,
          replica.urn,
        );
      if (source && replica.props.engine !== source.props.engine) {
        report(
          `RDS replica ${replica.name} runs ${replica.props.engine} but its source ${source.name} runs ${source.props.engine}: use the same engine.`,
          replica.urn,
        );
      }
    }
  },
});

export const rdsPolicies = [
  rdsStorageEncrypted(),
  rdsNotPublic(),
  rdsBackupRetention(),
  rdsDeletionProtection(),
  rdsMultiAz(),
  rdsFinalSnapshot(),
  rdsPerformanceInsightsEncrypted(),
  rdsCustomParameterGroup(),
  rdsParameterGroupForcesSsl(),
  rdsEngineMajorPinned(),
  rdsReplicaMatchesSource(),
];
