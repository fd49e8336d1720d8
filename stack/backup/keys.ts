// Backups' config keys (AWS): RDS automated backups (point-in-time recovery) and the AWS Backup plan, its
// cross-region copy and vault locks.
import { boolean, integer, matching } from "../config/key-spec";
import { aws, awsRegion, window } from "../config/aws-parsers";

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
