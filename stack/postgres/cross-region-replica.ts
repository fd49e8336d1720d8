import * as ec2 from "@pulumi/aws/ec2";
import * as rds from "@pulumi/aws/rds";
import * as pulumi from "@pulumi/pulumi";
import type { CrossRegionReplica, RdsSettings } from "./rds-settings";
import { postgresParameterGroupArgs } from "./rds-parameters";
import { crossRegionReplicaIdentifier } from "./replica-placement";
import type { Tags } from "../aws/tags";
import { StackKey } from "../aws/kms";
import { ingressFrom } from "../network/data-network";
import { logExports, rdsLogGroups } from "./rds";

export interface CrossRegionReplicaArgs {
  /** The primary's identifier; the replica is `<identifier>-replica-<region>`. */
  readonly identifier: string;
  readonly replica: CrossRegionReplica;
  readonly settings: RdsSettings;
  /**
   * The source: its ARN (a cross-region replica names its source by ARN, rds/instance.d.ts
   * replicateSourceDb).
   */
  readonly sourceArn: pulumi.Input<string>;
  readonly monitoringRoleArn: pulumi.Input<string>;
  readonly maintenanceWindow: string;
  readonly logRetentionDays: number;
  readonly partition: string;
  readonly accountId: string;
  readonly breakGlassRoleArn: string;
  readonly alias: string;
  readonly tags: Tags;
}

/**
 * An encrypted read replica of the primary in a second region, with everything it needs there: regional
 * resources (KMS key, DB subnet group, security group, parameter group, log groups) are created in that
 * region through the per-resource `region` argument (@pulumi/aws 7), so they use the default provider's
 * credentials and allowedAccountIds (the pattern of stack/backup/backups.ts). The IAM monitoring role is
 * global and shared.
 */
export class CrossRegionReadReplica extends pulumi.ComponentResource {
  readonly instance: rds.Instance;
  readonly region: string;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: CrossRegionReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:CrossRegionReadReplica", name, {}, opts);
    const { replica, settings: s, tags } = args;
    const there = { region: replica.region };
    const parent = { parent: this };
    // KMS keys are regional: the replica's storage, Performance Insights and logs need a key of its region.
    const key = new StackKey(
      `${name}-key`,
      {
        partition: args.partition,
        accountId: args.accountId,
        region: replica.region,
        inOwnRegion: true,
        breakGlassRoleArn: args.breakGlassRoleArn,
        alias: args.alias,
        tags,
      },
      parent,
    );
    const subnets = new rds.SubnetGroup(
      `${name}-subnets`,
      {
        subnetIds: replica.subnets.map((x) => x.id),
        description: "Off the Grid PostgreSQL (cross-region replica)",
        tags,
        ...there,
      },
      parent,
    );
    // No egress: the replica starts no connections (replication is RDS's own channel).
    const group = new ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: replica.vpcId,
        description: "PostgreSQL cross-region replica from allowed sources",
        ingress: ingressFrom(5432, replica.allowedCidrs, replica.allowedSecurityGroupIds),
        egress: [],
        tags: { ...tags, Name: `${name}-sg` },
        ...there,
      },
      parent,
    );
    // Parameter groups are regional too; the same tuning (and rds.force_ssl) as the primary's.
    const parameters = new rds.ParameterGroup(
      `${name}-params`,
      { ...postgresParameterGroupArgs(s, tags), ...there },
      parent,
    );
    const identifier = crossRegionReplicaIdentifier(args.identifier, replica.region);
    const logs = rdsLogGroups(
      name,
      {
        identifier,
        iamAuth: s.iamAuth,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: key.arn,
        tags,
        region: replica.region,
      },
      this,
    );
    this.instance = new rds.Instance(
      name,
      {
        identifier,
        replicateSourceDb: args.sourceArn,
        // Required for an encrypted cross-region replica: a key of the replica's region (rds/instance.d.ts).
        storageEncrypted: true,
        kmsKeyId: key.arn,
        engine: "postgres",
        instanceClass: s.instanceClass,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [group.id],
        parameterGroupName: parameters.name,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        deletionProtection: s.deletionProtection,
        copyTagsToSnapshot: true,
        caCertIdentifier: s.caCertIdentifier,
        maxAllocatedStorage: s.maxAllocatedStorageGb,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: key.arn,
        performanceInsightsRetentionPeriod: 7,
        databaseInsightsMode: s.databaseInsightsMode,
        monitoringInterval: s.monitoringIntervalSeconds,
        monitoringRoleArn: args.monitoringRoleArn,
        enabledCloudwatchLogsExports: logExports(s.iamAuth),
        iamDatabaseAuthenticationEnabled: s.iamAuth,
        maintenanceWindow: args.maintenanceWindow,
        // As the same-region replicas: no backups of its own, no final snapshot, changes at once.
        skipFinalSnapshot: true,
        backupRetentionPeriod: 0,
        applyImmediately: true,
        tags,
        ...there,
      },
      // A replacement re-copies the whole database across regions: refuse it (`pulumi state unprotect` to
      // override).
      { parent: this, dependsOn: logs, protect: true },
    );
    this.region = replica.region;
    this.kmsKeyArn = key.arn;
    this.registerOutputs({
      arn: this.instance.arn,
      address: this.instance.address,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}
