import * as backup from "@pulumi/aws/backup";
import * as iam from "@pulumi/aws/iam";
import { Provider } from "@pulumi/aws/provider";
import * as pulumi from "@pulumi/pulumi";
import { StackKey } from "./kms";
import { serviceRole } from "./iam";
import type { Tags } from "../../lib/aws/tags";

export interface BackupsArgs {
  readonly prefix: string;
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Resources to back up (the RDS primary). */
  readonly resourceArns: pulumi.Input<string>[];
  readonly retentionDays: number;
  readonly copyRegion: string;
  readonly vaultLock: boolean;
  readonly accountId: string;
  readonly partition: string;
  readonly tags: Tags;
}

/**
 * AWS Backup on top of RDS's own automated backups: a daily plan into a vault in this region, each recovery point
 * copied to a vault (with its own key: keys are regional) in a second region, optionally locked.
 */
export class Backups extends pulumi.ComponentResource {
  readonly vaultName: pulumi.Output<string>;
  readonly copyVaultArn: pulumi.Output<string>;
  readonly planId: pulumi.Output<string>;

  constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:Backups", name, {}, opts);
    const parent = { parent: this };
    const copyProvider = new Provider(`${name}-copy-region`, { region: args.copyRegion }, parent);
    const copyKey = new StackKey(
      `${name}-copy-key`,
      {
        partition: args.partition,
        accountId: args.accountId,
        region: args.copyRegion,
        alias: `${args.prefix}-backup-copy`,
        tags: args.tags,
      },
      { parent: this, providers: { aws: copyProvider } },
    );
    const vault = new backup.Vault(
      `${name}-vault`,
      { name: `${args.prefix}-backups`, kmsKeyArn: args.kmsKeyArn, tags: args.tags },
      parent,
    );
    const copyVault = new backup.Vault(
      `${name}-copy-vault`,
      { name: `${args.prefix}-backups-copy`, kmsKeyArn: copyKey.arn, tags: args.tags },
      { parent: this, provider: copyProvider },
    );
    if (args.vaultLock) {
      // Governance for three days (the lock can still be removed), then compliance: nobody can delete early.
      const lock = {
        changeableForDays: 3,
        minRetentionDays: 7,
        maxRetentionDays: Math.max(args.retentionDays, 7),
      };
      new backup.VaultLockConfiguration(
        `${name}-vault-lock`,
        { backupVaultName: vault.name, ...lock },
        parent,
      );
      new backup.VaultLockConfiguration(
        `${name}-copy-vault-lock`,
        { backupVaultName: copyVault.name, ...lock },
        { parent: this, provider: copyProvider },
      );
    }
    const plan = new backup.Plan(
      `${name}-plan`,
      {
        name: `${args.prefix}-daily`,
        rules: [
          {
            ruleName: "daily",
            targetVaultName: vault.name,
            schedule: "cron(0 3 * * ? *)",
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
        resources: args.resourceArns,
      },
      parent,
    );

    this.vaultName = vault.name;
    this.copyVaultArn = copyVault.arn;
    this.planId = plan.id;
    this.registerOutputs({ vaultName: this.vaultName, copyVaultArn: this.copyVaultArn, planId: this.planId });
  }
}
