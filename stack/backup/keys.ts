// Backups' config keys (AWS): RDS automated backups (point-in-time recovery) and the AWS Backup plan, its
// cross-region copy and vault locks.
import { boolean, integer, matching } from "../config/key-spec";
import { aws, awsRegion, window } from "../config/aws-parsers";
import type { RuleContext } from "../config/rules";
import { backupStartConflicts, windowsOverlap } from "../../policy/windows";

export const backupKeys = {
  postgresBackupRetentionDays: aws({
    type: "integer",
    default: 14,
    parse: integer(0, 35),
    description:
      "RDS automated backups and point-in-time recovery window (0 disables; refused with replicas).",
  }),
  postgresBackupWindow: aws({
    type: "string",
    default: "02:00-02:30",
    parse: window("02:00-02:30"),
    description: "Daily RDS backup window (UTC); must not overlap the maintenance window.",
  }),
  backupCopyRegion: aws({
    type: "string",
    parse: awsRegion,
    description: "Second region that receives a copy of every AWS Backup recovery point (disaster recovery).",
  }),
  backupRetentionDays: aws({
    type: "integer",
    default: 35,
    parse: integer(7, 3650),
    description: "AWS Backup retention of daily recovery points, in both regions.",
  }),
  backupStartTime: aws({
    type: "string",
    default: "05:00",
    parse: matching(/^([01]\d|2[0-3]):[0-5]\d$/, "a UTC time hh:mm such as 05:00"),
    description:
      "Daily AWS Backup start (UTC, 60-minute start window); must clear the RDS backup window and the hour before and during RDS maintenance.",
  }),
  backupVaultLock: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Lock both backup vaults in governance mode (WORM; users with backup:BypassVaultLockGovernance can still lift it).",
  }),
  backupVaultComplianceLock: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Opt in to compliance mode for the vault locks: after 3 days nobody, not even the account root, can lift the lock or shorten retention.",
  }),
  backupVaultMaxRetentionDays: aws({
    type: "integer",
    default: 3650,
    parse: integer(7, 36500),
    description:
      "Longest retention a locked vault accepts (>= backupRetentionDays); generous, because in compliance mode it can never be raised.",
  }),
};

export function backupRules(c: RuleContext): void {
  const { s, raw } = c;
  const region = raw["aws:region"];
  if (region !== undefined && region === s.backupCopyRegion)
    c.invalid(
      "backupCopyRegion",
      s.backupCopyRegion,
      `a region other than aws:region (${region}); a copy in the same region does not survive a regional outage`,
    );
  if (s.postgresBackupRetentionDays === 0 && (s.postgresReplicaCount ?? 0) > 0)
    c.invalid(
      "postgresBackupRetentionDays",
      0,
      "1 to 35 while postgresReplicaCount > 0 (RDS read replicas need automated backups on the source)",
    );
  if (windowsOverlap(s.postgresBackupWindow, s.postgresMaintenanceWindow))
    c.invalid(
      "postgresBackupWindow",
      s.postgresBackupWindow,
      `a window that does not overlap postgresMaintenanceWindow (${s.postgresMaintenanceWindow})`,
    );
  const conflicts = backupStartConflicts({
    start: s.backupStartTime ?? "05:00",
    startWindowMinutes: 60,
    rdsBackupWindow: s.postgresBackupWindow,
    rdsMaintenanceWindow: s.postgresMaintenanceWindow,
  });
  if (conflicts.length)
    c.invalid(
      "backupStartTime",
      s.backupStartTime,
      "a time whose 60-minute start window clears " +
        [
          conflicts.includes("backup") ? `postgresBackupWindow (${s.postgresBackupWindow})` : "",
          conflicts.includes("maintenance")
            ? `postgresMaintenanceWindow (${s.postgresMaintenanceWindow}) and the hour before it`
            : "",
        ]
          .filter(Boolean)
          .join(" and ") +
        ": AWS Backup cannot start an RDS job there",
    );
  if (s.backupVaultComplianceLock && !s.backupVaultLock)
    c.invalid(
      "backupVaultComplianceLock",
      true,
      "false unless backupVaultLock is true (compliance mode is a kind of lock)",
    );
  if ((s.backupVaultMaxRetentionDays ?? 0) < (s.backupRetentionDays ?? 0))
    c.invalid(
      "backupVaultMaxRetentionDays",
      s.backupVaultMaxRetentionDays,
      `at least backupRetentionDays (${s.backupRetentionDays}); a locked vault refuses longer retention`,
    );
}
