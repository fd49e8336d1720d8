// What an RDS PostgreSQL deployment is configured with (RdsPostgres, its parameter group, the cross-region
// replica, the alarms): the component's settings, owned here, and what they imply for the parts around the
// instance; the stack's config (stack/config/types.ts) conforms to it. The keys in ./keys.ts,
// ../monitoring/keys.ts and ../credentials/keys.ts map to it.
import type { Subnet } from "../config/aws-parsers";

export interface RdsSettings {
  /** db.* instance class, e.g. db.r6g.large (also sizes max_connections and the alarms). */
  readonly instanceClass: string;
  /** Same-region read replicas, each in the next availability zone. */
  readonly replicaCount: number;
  readonly allocatedStorageGb: number;
  /** Storage autoscaling ceiling (>= allocatedStorageGb). */
  readonly maxAllocatedStorageGb: number;
  readonly maxConnections: number;
  readonly multiAz: boolean;
  /** Automated backups (point-in-time recovery); > 0 with replicas or blue/green. */
  readonly automatedBackupRetentionDays: number;
  /** Daily hh:mm-hh:mm (UTC). */
  readonly backupWindow: string;
  /** Weekly ddd:hh:mm-ddd:hh:mm (UTC); replicas get the windows after it. */
  readonly maintenanceWindow: string;
  readonly deletionProtection: boolean;
  /** IAM database authentication (its own login role; see stack/postgres/iam-auth.ts). */
  readonly iamAuth: boolean;
  readonly caCertIdentifier: string;
  readonly performanceInsightsRetentionDays: number;
  /** Enhanced Monitoring interval; 0 turns it off. */
  readonly monitoringIntervalSeconds: number;
  /** Replacing changes go through an RDS blue/green deployment (rds.logical_replication=1). */
  readonly blueGreenUpdate: boolean;
  readonly databaseInsightsMode: "standard" | "advanced";
  /** generated: the stack's write-only password; managed: RDS's own Secrets Manager secret (no replicas). */
  readonly masterPasswordMode: "generated" | "managed";
}

/** An encrypted read replica of the primary in a second region. */
export interface CrossRegionReplica {
  readonly region: string;
  readonly vpcId: string;
  readonly subnets: readonly Subnet[];
  readonly allowedCidrs: readonly string[];
  readonly allowedSecurityGroupIds: readonly string[];
}

/**
 * rds.logical_replication=1 in the parameter group (and the replication-slot alarms that come with it): a
 * blue/green deployment replicates logically from blue to green.
 */
export const logicalReplication = (s: LogicalReplicationSettings): boolean => s.blueGreenUpdate;

/** The settings that decide logicalReplication. */
export type LogicalReplicationSettings = Pick<RdsSettings, "blueGreenUpdate">;
