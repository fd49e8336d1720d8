// Backups' config keys (AWS): the AWS Backup plan, its cross-region copy and vault locks. RDS's own automated
// backups are the instance's keys (stack/postgres/keys.ts).
import { boolean, integer, matching } from "../config/key-spec";
import { aws, awsRegion } from "../config/aws-parsers";
import type { RuleContext } from "../config/rules";
import { backupStartConflicts } from "../../policy/windows";
import type { Parsed } from "../config/key-spec";
import type { BackupSettings } from "./backups";

export const backupKeys = {
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

export const backupSettings = (s: Parsed<typeof backupKeys>): BackupSettings => ({
  copyRegion: s.backupCopyRegion,
  retentionDays: s.backupRetentionDays,
  startTime: s.backupStartTime,
  vaultLock: s.backupVaultLock,
  complianceLock: s.backupVaultComplianceLock,
  maxRetentionDays: s.backupVaultMaxRetentionDays,
});
