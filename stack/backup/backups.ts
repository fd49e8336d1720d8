import * as backup from "@pulumi/aws/backup";
import * as iam from "@pulumi/aws/iam";
import * as rds from "@pulumi/aws/rds";
import * as pulumi from "@pulumi/pulumi";
import { StackKey } from "../aws/kms";
import { serviceRole } from "../aws/iam";
import type { Tags } from "../aws/tags";
import { dailyCron } from "../../policy/windows";
import { backupVaultNames } from "../aws/identifiers";

/** The backup plan as configured (./keys.ts maps the keys to it). */
export interface BackupSettings {
  /** Second region: every recovery point is copied there, and the primary's automated backups replicated. */
  readonly copyRegion: string;
  /** Days each recovery point (and its copy) is kept. */
  readonly retentionDays: number;
  /** hh:mm UTC: start of the daily 60-minute start window. */
  readonly startTime: string;
  /** Governance-mode lock (can be lifted with backup:BypassVaultLockGovernance). */
  readonly vaultLock: boolean;
  /** Explicit opt-in: compliance mode after the 3-day grace period; irreversible. */
  readonly complianceLock: boolean;
  /** Longest retention a locked vault accepts. */
  readonly maxRetentionDays: number;
}

export interface BackupsArgs extends BackupSettings {
  readonly prefix: string;
  readonly kmsKeyArn: pulumi.Input<string>;
  /** The RDS primary: backed up by AWS Backup, and its automated backups replicated to the copy region. */
  readonly primaryArn: pulumi.Input<string>;
  /** Days of point-in-time recovery kept in the copy region: the primary's own PITR window. */
  readonly pitrRetentionDays: pulumi.Input<number>;
  readonly accountId: string;
  readonly partition: string;
  readonly breakGlassRoleArn: string;
  readonly tags: Tags;
}

/**
 * Disaster recovery on top of RDS's own automated backups: a daily AWS Backup plan into a vault here, each
 * recovery point copied to a vault in a second region, and the primary's automated backups (snapshots + WAL)
 * replicated there too, so point-in-time restore works in that region. Copy-region resources use the
 * per-resource `region` argument (@pulumi/aws 7), so they share the default provider's credentials and
 * allowedAccountIds instead of a second provider that would ignore aws:profile / aws:assumeRoles.
 */
export class Backups extends pulumi.ComponentResource {
  readonly vaultName: pulumi.Output<string>;
  readonly copyVaultArn: pulumi.Output<string>;
  readonly planId: pulumi.Output<string>;

  constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:Backups", name, {}, opts);
    const parent = { parent: this };
    const there = { region: args.copyRegion };
    const copyKey = new StackKey(
      `${name}-copy-key`,
      {
        partition: args.partition,
        accountId: args.accountId,
        region: args.copyRegion,
        inOwnRegion: true,
        breakGlassRoleArn: args.breakGlassRoleArn,
        alias: `${args.prefix}-backup-copy`,
        tags: args.tags,
      },
      parent,
    );
    const vault = new backup.Vault(
      `${name}-vault`,
      { name: backupVaultNames(args.prefix)[0], kmsKeyArn: args.kmsKeyArn, tags: args.tags },
      parent,
    );
    const copyVault = new backup.Vault(
      `${name}-copy-vault`,
      { name: backupVaultNames(args.prefix)[1], kmsKeyArn: copyKey.arn, tags: args.tags, ...there },
      parent,
    );
    if (args.vaultLock) this.lock(name, args, vault, copyVault);
    // PITR in the second region: RDS ships snapshots and transaction logs there continuously
    // (RDS user guide, "Replicating automated backups to another AWS Region").
    new rds.InstanceAutomatedBackupsReplication(
      `${name}-pitr-replication`,
      {
        sourceDbInstanceArn: args.primaryArn,
        kmsKeyId: copyKey.arn,
        retentionPeriod: args.pitrRetentionDays,
        ...there,
      },
      parent,
    );
    const plan = this.plan(name, args, vault, copyVault);
    this.vaultName = vault.name;
    this.copyVaultArn = copyVault.arn;
    this.planId = plan.id;
    this.registerOutputs({ vaultName: this.vaultName, copyVaultArn: this.copyVaultArn, planId: this.planId });
  }

  /**
   * Governance mode by default: WORM, but liftable with backup:BypassVaultLockGovernance. Compliance mode
   * (changeableForDays set) is irreversible after the grace period, so it is a separate opt-in with a
   * generous maximum retention (AWS Backup developer guide, "AWS Backup Vault Lock").
   */
  private lock(name: string, args: BackupsArgs, vault: backup.Vault, copyVault: backup.Vault): void {
    const lock = {
      minRetentionDays: 7,
      maxRetentionDays: args.maxRetentionDays,
      ...(args.complianceLock ? { changeableForDays: 3 } : {}),
    };
    new backup.VaultLockConfiguration(
      `${name}-vault-lock`,
      { backupVaultName: vault.name, ...lock },
      {
        parent: this,
      },
    );
    new backup.VaultLockConfiguration(
      `${name}-copy-vault-lock`,
      { backupVaultName: copyVault.name, region: args.copyRegion, ...lock },
      { parent: this },
    );
  }

  private plan(name: string, args: BackupsArgs, vault: backup.Vault, copyVault: backup.Vault): backup.Plan {
    const parent = { parent: this };
    const plan = new backup.Plan(
      `${name}-plan`,
      {
        name: `${args.prefix}-daily`,
        rules: [
          {
            ruleName: "daily",
            targetVaultName: vault.name,
            // Validated against the RDS backup and maintenance windows (stack/backup/keys.ts).
            schedule: dailyCron(args.startTime),
            startWindow: 60,
            completionWindow: 360,
            lifecycle: { deleteAfter: args.retentionDays },
            copyActions: [
              { destinationVaultArn: copyVault.arn, lifecycle: { deleteAfter: args.retentionDays } },
            ],
            recoveryPointTags: args.tags,
          },
        ],
        tags: args.tags,
      },
      parent,
    );
    const role = serviceRole(`${name}-role`, "backup.amazonaws.com", args.tags, this);
    for (const policy of ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]) {
      new iam.RolePolicyAttachment(
        `${name}-${policy}`,
        { role: role.name, policyArn: `arn:${args.partition}:iam::aws:policy/service-role/${policy}` },
        parent,
      );
    }
    new backup.Selection(
      `${name}-selection`,
      {
        name: `${args.prefix}-databases`,
        planId: plan.id,
        iamRoleArn: role.arn,
        resources: [args.primaryArn],
      },
      parent,
    );
    return plan;
  }
}
