// AWS keys for recovery and observation: the cross-region AWS Backup copy, vault lock, alarm mail and log retention.
import { boolean, integer, matching } from "../config/key-spec";
import { awsRegion, aws, logRetention, optional } from "../config/aws-parsers";

export const awsBackupKeys = {
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
  backupVaultLock: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Lock both backup vaults in governance mode (WORM; users with backup:BypassVaultLockGovernance can still lift it).",
  }),
  alarmEmail: aws({
    type: "string",
    default: "",
    parse: optional(matching(/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/, ""), "an email address"),
    description:
      "Email subscribed to the alarm topic (confirm the subscription mail); empty subscribes nobody.",
  }),
  logRetentionDays: aws({
    type: "integer",
    default: 30,
    parse: logRetention,
    description: "CloudWatch Logs retention for PostgreSQL and Redis logs.",
  }),
};
