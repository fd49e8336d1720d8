// Backups: automated-backup retention and final snapshots of RDS, the AWS Backup plan's cross-region copy,
// its start window, and the vault lock.
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  BACKUP_PLAN,
  BACKUP_VAULT,
  RDS_INSTANCE,
  Props,
  onType,
  isPrimary,
  label,
  resourcePolicy,
} from "./kit";
import { fixes } from "./fixes";
import { backupStartConflicts, dailyCronStart } from "./windows";

const VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";

/**
 * The config key or stack file behind each property this file's rules report on (policy/fixes.ts).
 * backupWindow's row is named by no message yet, but backup-window-clear-of-maintenance prints its value, and
 * test/policy/config-keys.test.ts proves the key.
 */
export const backupFixes = fixes("policy/backup.ts", {
  propertyKeys: {
    [RDS_INSTANCE]: {
      backupRetentionPeriod: "postgresBackupRetentionDays",
      backupWindow: "postgresBackupWindow",
    },
    [BACKUP_PLAN]: { schedule: "backupStartTime" },
    [BACKUP_VAULT]: { region: "backupCopyRegion" },
    [VAULT_LOCK]: { changeableForDays: "backupVaultComplianceLock" },
  },
  codeSet: { [RDS_INSTANCE]: { skipFinalSnapshot: "stack/postgres/rds.ts" } },
});
const { fix } = backupFixes;

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
          `RDS instance ${args.name} keeps backups for ${days} day(s); ${fix(RDS_INSTANCE, "backupRetentionPeriod", `to at least ${minimumDays}`)}.`,
        );
      }
    },
    { properties: { minimumDays: { type: "integer", default: 7, minimum: 0, maximum: 35 } } },
  );

export const rdsFinalSnapshot = () =>
  resourcePolicy(
    "rds-final-snapshot",
    "Deleting an RDS primary leaves a final snapshot.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (isPrimary(p) && (p.skipFinalSnapshot === true || !p.finalSnapshotIdentifier)) {
        report(
          `RDS instance ${a.name} must take a final snapshot: ${fix(RDS_INSTANCE, "skipFinalSnapshot", "to false")}, with a unique finalSnapshotIdentifier.`,
        );
      }
    }),
  );

export const backupCrossRegion = (): StackValidationPolicy => ({
  name: "backup-cross-region-copy",
  description:
    "A stack with RDS has an AWS Backup plan that copies recovery points to a vault in another region.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    if (!args.resources.some((r) => r.type === RDS_INSTANCE)) return;
    const plans = args.resources.filter((r) => r.type === "aws:backup/plan:Plan");
    const copying = plans.some((plan) =>
      (plan.props.rules ?? []).some((rule: Props) => (rule.copyActions ?? []).length > 0),
    );
    // @pulumi/aws 7: a resource's own `region` argument overrides its provider's.
    const regionOf = (r: PolicyResource) =>
      (r.props.region ?? r.provider?.props?.region) as string | undefined;
    const vaults = args.resources.filter((r) => r.type === "aws:backup/vault:Vault");
    const regions = new Set(vaults.map(regionOf));
    if (!plans.length)
      report(
        `The stack has RDS but no AWS Backup plan: add a daily plan with a copy action to another region (${fix(BACKUP_VAULT, "region", "to a second region")}).`,
      );
    else if (!copying || regions.size < 2)
      report(
        `The AWS Backup plan must copy recovery points to a vault in a second region: ${fix(BACKUP_VAULT, "region", "to a second region")}.`,
      );
  },
});

/**
 * AWS Backup cannot start an RDS job in the hour before or during maintenance, nor in the RDS backup window.
 */
export const backupWindowClear = (): StackValidationPolicy => ({
  name: "backup-window-clear-of-maintenance",
  description:
    "AWS Backup rules start outside the RDS backup window and the hour before and during RDS maintenance.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === RDS_INSTANCE && !r.props.replicateSourceDb);
    for (const plan of args.resources.filter((r) => r.type === "aws:backup/plan:Plan")) {
      for (const rule of (plan.props.rules ?? []) as Props[]) {
        const start = dailyCronStart(String(rule.schedule ?? ""));
        if (!start) continue;
        // AWS Backup's default start window is 8 hours.
        const startWindowMinutes = rule.startWindow ?? 480;
        for (const db of instances) {
          const conflicts = backupStartConflicts({
            start,
            startWindowMinutes,
            rdsBackupWindow: db.props.backupWindow,
            rdsMaintenanceWindow: db.props.maintenanceWindow,
          });
          if (conflicts.length) {
            report(
              `AWS Backup plan ${plan.name} rule ${rule.ruleName} starts at ${start} (+${startWindowMinutes} min), inside RDS instance ${db.name}'s ${conflicts.join(" and ")} window (maintenance: ${db.props.maintenanceWindow} and the hour before; backup: ${db.props.backupWindow}): AWS Backup cannot start the job then. Move the schedule: ${fix(BACKUP_PLAN, "schedule", "outside these windows")}.`,
              plan.urn,
            );
          }
        }
      }
    }
  },
});

/**
 * A vault lock with changeableForDays becomes compliance mode: after the grace period nobody can lift it or
 * shorten retention (AWS Backup developer guide, "AWS Backup Vault Lock"). Only by the platform team's
 * opt-in.
 */
export const backupVaultLockGovernance = (): ResourceValidationPolicy => ({
  name: "backup-vault-lock-governance",
  description: "Backup vault locks use governance mode unless compliance mode is explicitly allowed.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { allowCompliance: { type: "boolean", default: false } } },
  validateResource: (args, report) => {
    if (args.type !== VAULT_LOCK) return;
    const { allowCompliance } = args.getConfig<{ allowCompliance: boolean }>();
    if (args.props.changeableForDays !== undefined && !allowCompliance) {
      report(
        `${label(args)} sets changeableForDays, which makes the lock irreversible compliance mode: ${fix(args.type, "changeableForDays", "to false")} (governance mode), or allow compliance in this policy's config (allowCompliance: true).`,
      );
    }
  },
});

export const backupPolicies = [
  rdsBackupRetention(),
  rdsFinalSnapshot(),
  backupCrossRegion(),
  backupWindowClear(),
  backupVaultLockGovernance(),
];
