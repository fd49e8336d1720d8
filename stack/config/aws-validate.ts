// AWS-only cross-key rules added for #11, kept apart from validate.ts: each returns problems in the same
// "Invalid value for K: V. Allowed values are: …" / "Missing required config key …" form.
import type { RawSettings } from "./keys";
import { backupStartConflicts } from "../../policy/windows";
import { awsOptionRules } from "./aws-validate-options";

type Fq = (key: string) => string;

/** Insights "advanced" needs Performance Insights kept 15 months (RDS user guide, "Database Insights modes"). */
export const ADVANCED_INSIGHTS_MIN_RETENTION_DAYS = 465;

export function awsOperationRules(s: RawSettings, fq: Fq, raw: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const invalid = (key: string, value: unknown, allowed: string) =>
    problems.push(`Invalid value for ${fq(key)}: ${JSON.stringify(value)}. Allowed values are: ${allowed}.`);

  // Without either, `pulumi up` builds RDS and then waits out the connect deadline from a host it cannot reach.
  if ((s.deployRunnerSecurityGroupIds ?? []).length === 0 && !s.schemaEndpoint) {
    problems.push(
      `Missing required config key ${fq("deployRunnerSecurityGroupIds")} or ${fq("schemaEndpoint")}: ` +
        "the schema step connects to the primary from the host running `pulumi up`. Give the deploy runner's " +
        "security group (`pulumi config set --path 'deployRunnerSecurityGroupIds[0]' sg-…`) or a tunnel " +
        "(`pulumi config set schemaEndpoint localhost:15432`).",
    );
  }

  const conflicts = backupStartConflicts({
    start: s.backupStartTime ?? "05:00",
    startWindowMinutes: 60,
    rdsBackupWindow: s.postgresBackupWindow,
    rdsMaintenanceWindow: s.postgresMaintenanceWindow,
  });
  if (conflicts.length) {
    invalid(
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
  }

  if (s.backupVaultComplianceLock && !s.backupVaultLock) {
    invalid(
      "backupVaultComplianceLock",
      true,
      "false unless backupVaultLock is true (compliance mode is a kind of lock)",
    );
  }
  if ((s.backupVaultMaxRetentionDays ?? 0) < (s.backupRetentionDays ?? 0)) {
    invalid(
      "backupVaultMaxRetentionDays",
      s.backupVaultMaxRetentionDays,
      `at least backupRetentionDays (${s.backupRetentionDays}); a locked vault refuses longer retention`,
    );
  }
  if (
    s.postgresDatabaseInsightsMode === "advanced" &&
    (s.postgresPerformanceInsightsRetentionDays ?? 0) < ADVANCED_INSIGHTS_MIN_RETENTION_DAYS
  ) {
    invalid(
      "postgresDatabaseInsightsMode",
      "advanced",
      `standard, or advanced with postgresPerformanceInsightsRetentionDays >= ${ADVANCED_INSIGHTS_MIN_RETENTION_DAYS} (15 months)`,
    );
  }
  // rds/instance.d.ts backupRetentionPeriod: "Must be greater than 0 if the database … will use RDS Blue/Green".
  if (s.postgresBlueGreenUpdate && s.postgresBackupRetentionDays === 0) {
    invalid(
      "postgresBackupRetentionDays",
      0,
      "1 to 35 while postgresBlueGreenUpdate is true (blue/green needs automated backups)",
    );
  }
  // With blueGreenUpdate the provider switches over and then deletes the old primary itself, skipping its final
  // snapshot (terraform-provider-aws internal/service/rds/instance.go, blue/green update path). The replicas'
  // resources then name the renamed "-old1" instances and are not followed to green (docs/aws.md "Blue/green").
  if (s.postgresBlueGreenUpdate && (s.postgresReplicaCount ?? 0) > 0) {
    invalid(
      "postgresBlueGreenUpdate",
      true,
      `false while postgresReplicaCount is ${s.postgresReplicaCount} (after a switchover the replicas' resources name the old "-old1" instances); use blue/green only on a stack without read replicas`,
    );
  }
  problems.push(...allowedAccountProblems(s, raw));
  problems.push(...awsOptionRules(s, fq, raw));
  return problems;
}

/** The default provider must refuse any other account: the one guard that works for per-resource regions too. */
function allowedAccountProblems(s: RawSettings, raw: Readonly<Record<string, string>>): string[] {
  const value = raw["aws:allowedAccountIds"];
  const how = `Set it with \`pulumi config set --path 'aws:allowedAccountIds[0]' ${s.awsAccountId}\`.`;
  if (value === undefined) {
    return [
      `Missing required config key aws:allowedAccountIds for this aws stack: the AWS provider must refuse ` +
        `credentials of any account but awsAccountId (${s.awsAccountId}). ${how}`,
    ];
  }
  let ids: unknown;
  try {
    ids = JSON.parse(value);
  } catch {
    ids = undefined;
  }
  if (!Array.isArray(ids) || ids.length !== 1 || String(ids[0]) !== s.awsAccountId) {
    return [
      `Invalid value for aws:allowedAccountIds: ${JSON.stringify(value)}. Allowed values are: ` +
        `a list holding exactly awsAccountId (["${s.awsAccountId}"]). ${how}`,
    ];
  }
  return [];
}
