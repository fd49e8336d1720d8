// AWS keys added for operations (#11): who may reach the primary for the schema step, when AWS Backup starts,
// how locked the vaults are, who may delete keys, and how changes roll out. Same conventions as aws-keys.ts.
import { InvalidValue, arrayOf, boolean, integer, matching, oneOf } from "./key-spec";
import { aws, securityGroupId } from "./aws-parsers";

function roleArnOrEmpty(raw: string): string {
  if (raw === "" || /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/.test(raw)) return raw;
  throw new InvalidValue(
    '"" (no break-glass role) or an IAM role ARN such as arn:aws:iam::123456789012:role/break-glass',
  );
}

export const awsOperationKeys = {
  deployRunnerSecurityGroupIds: aws({
    type: "array",
    default: [] as string[],
    parse: arrayOf(securityGroupId, 0, 5, "security group ids"),
    description:
      "Security groups of the deploy runner that applies the schema (PostgreSQL 5432 only); an AWS stack needs these or schemaEndpoint.",
  }),
  backupStartTime: aws({
    type: "string",
    default: "05:00",
    parse: matching(/^([01]\d|2[0-3]):[0-5]\d$/, "a UTC time hh:mm such as 05:00"),
    description:
      "Daily AWS Backup start (UTC, 60-minute start window); must clear the RDS backup window and the hour before and during RDS maintenance.",
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
  kmsBreakGlassRoleArn: aws({
    type: "string",
    default: "",
    parse: roleArnOrEmpty,
    description:
      "IAM role that alone may schedule deletion of the stack's KMS keys; empty denies it to every principal.",
  }),
  redisApplyImmediately: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Apply ElastiCache changes (node type, parameters) at once instead of in redisMaintenanceWindow; a node-type change fails over.",
  }),
  postgresBlueGreenUpdate: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Roll out engine upgrades and other replacing changes through an RDS blue/green deployment (sets rds.logical_replication=1).",
  }),
  postgresDatabaseInsightsMode: aws<"standard" | "advanced">({
    type: "string",
    default: "standard",
    parse: oneOf(["standard", "advanced"]),
    description:
      "CloudWatch Database Insights mode; advanced needs postgresPerformanceInsightsRetentionDays >= 465.",
  }),
};
