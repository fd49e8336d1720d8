import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as rds from "@pulumi/aws/rds";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AwsStackConfig } from "../../config/types";
import { POSTGRES_MAJOR } from "../../lib/postgres/settings";
import { POSTGRES_FAMILY, postgresParameters } from "../../lib/aws/postgres-parameters";
import { serviceRole } from "./iam";
import type { Tags } from "../../lib/aws/tags";

export interface RdsPostgresArgs {
  /** Instance identifier of the primary; replicas append -replica-N. Fixed so log groups can be created first. */
  readonly identifier: string;
  readonly settings: AwsStackConfig["postgres"];
  readonly database: string;
  readonly masterUser: string;
  /** Set on the primary only (replicas inherit it); changing it modifies the instance in place. */
  readonly masterPassword: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly subnetGroupName: pulumi.Input<string>;
  readonly securityGroupIds: pulumi.Input<string>[];
  /** AZ of the primary first; replicas go to the others in turn. */
  readonly availabilityZones: readonly string[];
  readonly logRetentionDays: number;
  readonly partition: string;
  readonly tags: Tags;
}

/** RDS PostgreSQL 17: parameter group, enhanced monitoring role, log groups, the primary and N read replicas. */
export class RdsPostgres extends pulumi.ComponentResource {
  readonly primary: rds.Instance;
  readonly replicas: rds.Instance[];
  readonly parameterGroupName: pulumi.Output<string>;

  constructor(name: string, args: RdsPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:RdsPostgres", name, {}, opts);
    const s = args.settings;
    const parent = { parent: this };

    // Auto-named, so a family change (major upgrade) creates the new group before deleting the old one.
    const parameters = new rds.ParameterGroup(
      `${name}-params`,
      {
        family: POSTGRES_FAMILY,
        description: `Off the Grid PostgreSQL ${POSTGRES_MAJOR} tuning for ${s.instanceClass}`,
        parameters: postgresParameters({
          instanceClass: s.instanceClass,
          maxConnections: s.maxConnections,
        }),
        tags: args.tags,
      },
      parent,
    );

    const monitoringRole = serviceRole(`${name}-monitoring`, "monitoring.rds.amazonaws.com", args.tags, this);
    const monitoringPolicy = new iam.RolePolicyAttachment(
      `${name}-monitoring`,
      {
        role: monitoringRole.name,
        policyArn: `arn:${args.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
      },
      parent,
    );

    const logExports = ["postgresql", "upgrade"];
    // RDS would create these on first export, without retention or encryption; creating them first sets both.
    const logGroups = (identifier: string) =>
      logExports.map(
        (log) =>
          new cloudwatch.LogGroup(
            `${identifier}-${log}`,
            {
              name: `/aws/rds/instance/${identifier}/${log}`,
              retentionInDays: args.logRetentionDays,
              kmsKeyId: args.kmsKeyArn,
              tags: args.tags,
            },
            parent,
          ),
      );

    const common = {
      engine: "postgres",
      instanceClass: s.instanceClass,
      storageEncrypted: true,
      kmsKeyId: args.kmsKeyArn,
      parameterGroupName: parameters.name,
      vpcSecurityGroupIds: args.securityGroupIds,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      deletionProtection: s.deletionProtection,
      copyTagsToSnapshot: true,
      caCertIdentifier: s.caCertIdentifier,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: args.kmsKeyArn,
      performanceInsightsRetentionPeriod: s.performanceInsightsRetentionDays,
      monitoringInterval: s.monitoringIntervalSeconds,
      monitoringRoleArn: monitoringRole.arn,
      enabledCloudwatchLogsExports: logExports,
      iamDatabaseAuthenticationEnabled: s.iamAuth,
      tags: args.tags,
    };

    // A fresh suffix whenever the primary would be replaced, so final snapshot names never collide.
    const snapshotSuffix = new random.RandomId(
      `${name}-final-snapshot`,
      {
        byteLength: 4,
        keepers: {
          identifier: args.identifier,
          kmsKeyArn: args.kmsKeyArn,
          database: args.database,
          user: args.masterUser,
        },
      },
      parent,
    );
    this.primary = new rds.Instance(
      name,
      {
        ...common,
        identifier: args.identifier,
        // Major only: RDS applies minor upgrades itself; pinning 17.x would show a "downgrade" diff afterwards.
        engineVersion: String(POSTGRES_MAJOR),
        // Avoid paid RDS Extended Support when a major version reaches end of standard support (replicas inherit it).
        engineLifecycleSupport: "open-source-rds-extended-support-disabled",
        dbName: args.database,
        username: args.masterUser,
        password: args.masterPassword,
        port: 5432,
        multiAz: s.multiAz,
        availabilityZone: s.multiAz ? undefined : args.availabilityZones[0],
        dbSubnetGroupName: args.subnetGroupName,
        storageType: "gp3",
        allocatedStorage: s.allocatedStorageGb,
        maxAllocatedStorage: s.maxAllocatedStorageGb,
        backupRetentionPeriod: s.backupRetentionDays,
        backupWindow: s.backupWindow,
        maintenanceWindow: s.maintenanceWindow,
        deleteAutomatedBackups: false,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: pulumi.interpolate`${args.identifier}-final-${snapshotSuffix.hex}`,
        applyImmediately: false,
      },
      {
        parent: this,
        dependsOn: [...logGroups(args.identifier), monitoringPolicy],
        additionalSecretOutputs: ["password"],
      },
    );

    this.replicas = Array.from({ length: s.replicaCount }, (_, i) => {
      const identifier = `${args.identifier}-replica-${i + 1}`;
      const zones =
        args.availabilityZones.length > 1 ? args.availabilityZones.slice(1) : args.availabilityZones;
      return new rds.Instance(
        `${name}-replica-${i + 1}`,
        {
          ...common,
          identifier,
          replicateSourceDb: this.primary.identifier,
          availabilityZone: zones[i % zones.length],
          // AWS ignores deletion protection when it creates a replica; the next `pulumi up` sets it (README).
          skipFinalSnapshot: true,
          backupRetentionPeriod: 0,
          applyImmediately: true,
        },
        { parent: this, dependsOn: logGroups(identifier) },
      );
    });
    this.parameterGroupName = parameters.name;
    this.registerOutputs({
      primaryEndpoint: this.primary.endpoint,
      replicaEndpoints: this.replicas.map((r) => r.endpoint),
      parameterGroupName: this.parameterGroupName,
    });
  }
}
