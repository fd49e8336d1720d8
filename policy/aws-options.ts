// Rules for the options #19 added (RDS-managed master password, cross-region read replica, the cache engine): the risks they
// bring that the rest of the pack does not see. Same shape as the other rule files.
import type { StackValidationPolicy } from "@pulumi/policy";
import {
  RDS_INSTANCE,
  REPLICATION_GROUP,
  isPrimary,
  onType,
  regionOf,
  resourcePolicy,
  sourceOf,
} from "./kit";

/** A cross-region replica names its source by ARN (CreateDBInstanceReadReplica, SourceDBInstanceIdentifier). */
export const isArn = (v: unknown): v is string => typeof v === "string" && v.startsWith("arn:");

/**
 * RDS user guide, "Password management with Amazon RDS and AWS Secrets Manager" (Limitations): creating a read
 * replica of a source whose master password Secrets Manager manages is not supported (blue/green neither; that half
 * is rds-blue-green-compatible's).
 */
export const rdsManagedPasswordNoReplicas = (): StackValidationPolicy => ({
  name: "rds-managed-password-no-replicas",
  description:
    "An RDS primary with an RDS-managed master password has no read replicas (AWS does not support them).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === RDS_INSTANCE);
    for (const db of instances.filter(
      (r) => isPrimary(r.props) && r.props.manageMasterUserPassword === true,
    )) {
      const replicas = instances.filter((r) => sourceOf(instances, r) === db);
      if (replicas.length)
        report(
          `RDS instance ${db.name} has an RDS-managed master password and read replicas (${replicas.map((r) => r.name).join(", ")}): RDS cannot create a replica of such a source. Use a generated password (passwordWo) or drop the replicas.`,
          db.urn,
        );
    }
  },
});

export const rdsManagedPasswordKey = () =>
  resourcePolicy(
    "rds-managed-password-cmk",
    "An RDS-managed master secret is encrypted with the stack's customer key, not Secrets Manager's default key.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (p.manageMasterUserPassword === true && !p.masterUserSecretKmsKeyId)
        report(
          `RDS instance ${a.name} keeps its master password in a secret under the default aws/secretsmanager key: set masterUserSecretKmsKeyId.`,
        );
    }),
  );

/**
 * A cross-region replica is in another region than its source's key (KMS keys are regional): CreateDBInstanceReadReplica
 * needs KmsKeyId for an encrypted cross-region replica, and without encryption the copy in the second region is
 * readable to whoever gets its storage.
 */
export const rdsCrossRegionReplicaEncrypted = () =>
  resourcePolicy(
    "rds-cross-region-replica-encrypted",
    "A cross-region RDS read replica is encrypted with a key of its own region.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (!isArn(p.replicateSourceDb)) return;
      if (p.storageEncrypted !== true || !p.kmsKeyId)
        report(
          `RDS replica ${a.name} replicates ${p.replicateSourceDb} across regions: set storageEncrypted: true and kmsKeyId (a KMS key in the replica's region).`,
        );
    }),
  );

/**
 * ElastiCache user guide, "Role-Based Access Control (RBAC)": a Valkey cluster accepts user groups of engine valkey
 * or redis, a Redis OSS cluster only user groups of engine redis.
 */
export const elasticacheUserGroupEngine = (): StackValidationPolicy => ({
  name: "elasticache-user-group-engine",
  description:
    "A Redis OSS replication group uses only RBAC user groups of engine redis (a valkey group is refused).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const groups = args.resources.filter((r) => r.type === "aws:elasticache/userGroup:UserGroup");
    for (const rg of args.resources.filter(
      (r) => r.type === REPLICATION_GROUP && (r.props.engine ?? "redis") === "redis",
    )) {
      const ids: unknown[] = rg.props.userGroupIds ?? [];
      for (const g of groups.filter(
        (g) => ids.includes(g.props.userGroupId) && typeof g.props.engine === "string",
      ))
        if (g.props.engine.toLowerCase() !== "redis")
          report(
            `ElastiCache replication group ${rg.name} runs Redis OSS but its user group ${g.name} has engine ${g.props.engine}: Redis OSS accepts only user groups of engine redis.`,
            g.urn,
          );
    }
  },
});

/**
 * Every read replica alarms on ReplicaLag, in its own region: CloudWatch alarms watch their own region's metrics, so
 * an alarm for a cross-region replica created in the primary's region never sees a data point.
 */
export const rdsReplicaLagAlarm = (): StackValidationPolicy => ({
  name: "cloudwatch-rds-replica-lag-alarm",
  description: "RDS read replicas have a ReplicaLag alarm in the replica's own region.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const alarms = args.resources.filter(
      (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.props.metricName === "ReplicaLag",
    );
    for (const replica of args.resources.filter(
      (r) => r.type === RDS_INSTANCE && !isPrimary(r.props) && typeof r.props.identifier === "string",
    )) {
      const mine = alarms.filter(
        (a) => a.props.dimensions?.DBInstanceIdentifier === replica.props.identifier,
      );
      if (!mine.length) report(`RDS replica ${replica.name} has no ReplicaLag alarm: add one.`, replica.urn);
      else if (!mine.some((a) => regionOf(a) === regionOf(replica)))
        report(
          `RDS replica ${replica.name} runs in ${regionOf(replica)} but its ReplicaLag alarm is in ${regionOf(mine[0])}: create the alarm (and its topic) in the replica's region.`,
          replica.urn,
        );
    }
  },
});

export const awsOptionPolicies = [
  rdsManagedPasswordNoReplicas(),
  rdsManagedPasswordKey(),
  rdsCrossRegionReplicaEncrypted(),
  elasticacheUserGroupEngine(),
  rdsReplicaLagAlarm(),
];
