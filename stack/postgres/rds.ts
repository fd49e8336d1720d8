import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as rds from "@pulumi/aws/rds";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { RdsSettings } from "./rds-settings";
import { POSTGRES_MAJOR } from "./settings";
import { postgresParameterGroupArgs } from "./rds-parameters";
import { replicaMaintenanceWindows, replicaZones } from "./replica-placement";
import { serviceRole } from "../aws/iam";
import type { Tags } from "../aws/tags";
import { replicaIdentifier } from "../aws/identifiers";

export interface RdsPostgresArgs {
  /**
   * Instance identifier of the primary; replicas append -replica-N. Fixed so log groups can be created first.
   */
  readonly identifier: string;
  readonly settings: RdsSettings;
  readonly database: string;
  readonly masterUser: string;
  /** Set on the primary only (replicas inherit it), write-only: RDS applies it when the version changes. */
  readonly masterPassword: pulumi.Input<string>;
  /** Bumped with the password's rotation epoch; the only thing that makes RDS take a new password. */
  readonly masterPasswordVersion: number;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly subnetGroupName: pulumi.Input<string>;
  readonly securityGroupIds: pulumi.Input<string>[];
  /** Zones of the private subnets, any order: placement sorts them (stack/postgres/replica-placement.ts). */
  readonly availabilityZones: readonly string[];
  readonly logRetentionDays: number;
  readonly partition: string;
  readonly tags: Tags;
}

/**
 * Log exports: iam-db-auth-error only means something with IAM auth on (RDS user guide, "PostgreSQL log
 * files").
 */
export function logExports(iamAuth: boolean): string[] {
  return ["postgresql", "upgrade", ...(iamAuth ? ["iam-db-auth-error"] : [])];
}

export interface RdsLogGroupsArgs {
  /** The instance the groups are for: RDS exports its logs to /aws/rds/instance/<identifier>/<log>. */
  readonly identifier: string;
  readonly iamAuth: boolean;
  readonly retentionInDays: number;
  readonly kmsKeyId: pulumi.Input<string>;
  readonly tags: Tags;
  /** A cross-region replica's region (the resource's own `region` argument); absent, the provider's. */
  readonly region?: string;
}

/**
 * RDS would create these on first export, without retention or encryption; creating them first sets both. One
 * per log export, named `<name>-<log>`, children of `parent`.
 */
export function rdsLogGroups(
  name: string,
  args: RdsLogGroupsArgs,
  parent: pulumi.Resource,
): cloudwatch.LogGroup[] {
  return logExports(args.iamAuth).map(
    (log) =>
      new cloudwatch.LogGroup(
        `${name}-${log}`,
        {
          name: `/aws/rds/instance/${args.identifier}/${log}`,
          retentionInDays: args.retentionInDays,
          kmsKeyId: args.kmsKeyId,
          tags: args.tags,
          ...(args.region === undefined ? {} : { region: args.region }),
        },
        { parent },
      ),
  );
}

/**
 * generated: the stack's password, write-only (@pulumi/aws 7 rds/instance.d.ts: never in the instance's
 * outputs), applied when its version moves. managed: RDS generates it into its own Secrets Manager secret,
 * encrypted with the stack key.
 */
function masterPassword(args: RdsPostgresArgs): Partial<rds.InstanceArgs> {
  return args.settings.masterPasswordMode === "managed"
    ? { manageMasterUserPassword: true, masterUserSecretKmsKeyId: args.kmsKeyArn }
    : { passwordWo: pulumi.secret(args.masterPassword), passwordWoVersion: args.masterPasswordVersion };
}

/**
 * RDS PostgreSQL 17: parameter group, enhanced monitoring role, log groups, the primary and N read replicas.
 */
export class RdsPostgres extends pulumi.ComponentResource {
  readonly primary: rds.Instance;
  readonly replicas: rds.Instance[];
  readonly parameterGroupName: pulumi.Output<string>;
  /** Enhanced monitoring role (IAM is global: a cross-region replica uses it too). */
  readonly monitoringRoleArn: pulumi.Output<string>;
  /** postgresMasterPasswordMode managed: the ARN of the secret RDS keeps the master password in. */
  readonly masterSecretArn?: pulumi.Output<string>;

  constructor(name: string, args: RdsPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:RdsPostgres", name, {}, opts);
    const s = args.settings;
    // Auto-named, so a family change (major upgrade) creates the new group before deleting the old one.
    const parameters = new rds.ParameterGroup(`${name}-params`, postgresParameterGroupArgs(s, args.tags), {
      parent: this,
    });
    const monitoring = this.monitoring(name, args);
    const common = {
      engine: "postgres",
      instanceClass: s.instanceClass,
      parameterGroupName: parameters.name,
      vpcSecurityGroupIds: args.securityGroupIds,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      // Major upgrades only through a blue/green deployment, never in place.
      allowMajorVersionUpgrade: s.blueGreenUpdate,
      deletionProtection: s.deletionProtection,
      copyTagsToSnapshot: true,
      caCertIdentifier: s.caCertIdentifier,
      // Replicas autoscale to the same ceiling: a full replica stops replicating.
      maxAllocatedStorage: s.maxAllocatedStorageGb,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: args.kmsKeyArn,
      performanceInsightsRetentionPeriod: s.performanceInsightsRetentionDays,
      databaseInsightsMode: s.databaseInsightsMode,
      monitoringInterval: s.monitoringIntervalSeconds,
      monitoringRoleArn: monitoring.roleArn,
      enabledCloudwatchLogsExports: logExports(s.iamAuth),
      iamDatabaseAuthenticationEnabled: s.iamAuth,
      tags: args.tags,
    };
    this.primary = this.primaryInstance(name, args, common, monitoring.ready);
    this.replicas = Array.from({ length: s.replicaCount }, (_, i) => this.replica(name, args, common, i));
    this.parameterGroupName = parameters.name;
    this.monitoringRoleArn = monitoring.roleArn;
    if (s.masterPasswordMode === "managed") {
      this.masterSecretArn = this.primary.masterUserSecrets.apply((secrets) => secrets?.[0]?.secretArn ?? "");
    }
    this.registerOutputs({
      primaryEndpoint: this.primary.endpoint,
      replicaEndpoints: this.replicas.map((r) => r.endpoint),
      parameterGroupName: this.parameterGroupName,
    });
  }

  private monitoring(name: string, args: RdsPostgresArgs) {
    const role = serviceRole(`${name}-monitoring`, "monitoring.rds.amazonaws.com", args.tags, this);
    const ready = new iam.RolePolicyAttachment(
      `${name}-monitoring`,
      {
        role: role.name,
        policyArn: `arn:${args.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
      },
      { parent: this },
    );
    return { roleArn: role.arn, ready };
  }

  private logGroups(identifier: string, args: RdsPostgresArgs): cloudwatch.LogGroup[] {
    return rdsLogGroups(
      identifier,
      {
        identifier,
        iamAuth: args.settings.iamAuth,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.kmsKeyArn,
        tags: args.tags,
      },
      this,
    );
  }

  private primaryInstance(
    name: string,
    args: RdsPostgresArgs,
    common: rds.InstanceArgs,
    ready: pulumi.Resource,
  ) {
    const s = args.settings;
    const snapshotSuffix = this.snapshotSuffix(name, args);
    return new rds.Instance(
      name,
      {
        ...common,
        identifier: args.identifier,
        storageEncrypted: true,
        kmsKeyId: args.kmsKeyArn,
        // Major only: RDS applies minor upgrades itself; pinning 17.x would show a "downgrade" diff
        // afterwards.
        engineVersion: String(POSTGRES_MAJOR),
        // Avoid paid RDS Extended Support when a major version reaches end of standard support (replicas
        // inherit it).
        engineLifecycleSupport: "open-source-rds-extended-support-disabled",
        dbName: args.database,
        username: args.masterUser,
        ...masterPassword(args),
        port: 5432,
        multiAz: s.multiAz,
        availabilityZone: s.multiAz ? undefined : [...args.availabilityZones].sort()[0],
        dbSubnetGroupName: args.subnetGroupName,
        storageType: "gp3",
        allocatedStorage: s.allocatedStorageGb,
        backupRetentionPeriod: s.automatedBackupRetentionDays,
        backupWindow: s.backupWindow,
        maintenanceWindow: s.maintenanceWindow,
        deleteAutomatedBackups: false,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: pulumi.interpolate`${args.identifier}-final-${snapshotSuffix.hex}`,
        applyImmediately: false,
        blueGreenUpdate: { enabled: s.blueGreenUpdate },
      },
      {
        parent: this,
        dependsOn: [...this.logGroups(args.identifier, args), ready],
        // A replacement would start an empty database: refuse it (`pulumi state unprotect` to override).
        protect: true,
        // After a Multi-AZ failover the primary runs in the standby's AZ; that drift must not plan a
        // replacement.
        ignoreChanges: ["availabilityZone"],
      },
    );
  }

  /** A fresh suffix whenever the primary would be replaced, so final snapshot names never collide. */
  private snapshotSuffix(name: string, args: RdsPostgresArgs): random.RandomId {
    return new random.RandomId(
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
      { parent: this },
    );
  }

  private replica(name: string, args: RdsPostgresArgs, common: rds.InstanceArgs, i: number): rds.Instance {
    const identifier = replicaIdentifier(args.identifier, i);
    const s = args.settings;
    return new rds.Instance(
      `${name}-replica-${i + 1}`,
      {
        ...common,
        identifier,
        replicateSourceDb: this.primary.identifier,
        // No kmsKeyId / storageEncrypted: a same-region replica is always encrypted with its source's key
        // (CreateDBInstanceReadReplica, KmsKeyId: "don't specify a value"); passing one has failed with
        // InvalidParameterCombination (cloudposse/terraform-aws-rds-replica#5).
        availabilityZone: replicaZones(args.availabilityZones, s.replicaCount)[i],
        maintenanceWindow: replicaMaintenanceWindows(s.maintenanceWindow, s.replicaCount)[i],
        // Retention beyond 7 days is paid per vCPU on every instance; replicas serve reads whose history the
        // primary's Performance Insights does not need (RDS pricing, "Performance Insights").
        performanceInsightsRetentionPeriod: 7,
        // AWS ignores deletion protection when it creates a replica; the next `pulumi up` sets it
        // (docs/aws.md).
        skipFinalSnapshot: true,
        backupRetentionPeriod: 0,
        applyImmediately: true,
      },
      { parent: this, dependsOn: this.logGroups(identifier, args), protect: true },
    );
  }
}
