// Rules from the AWS operations review (#11): what a platform team enforces so a green deploy is not dead on
// arrival or paging at night. Same shape as the other rule files: small factories, messages that say how to fix it.
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RDS_INSTANCE, Props, label, sourceOf } from "./kit";
import { backupStartConflicts, dailyCronStart } from "./windows";

const covers = (rule: Props, port: number) =>
  rule.protocol === "-1" || rule.ipProtocol === "-1" || (rule.fromPort <= port && port <= rule.toPort);
const known = (v: unknown): v is string => typeof v === "string" && v !== "";

/**
 * The provider deletes a new security group's default allow-all egress (ec2/securityGroup.d.ts, "NOTE on Egress
 * rules"), so an RDS Proxy whose group has no egress to 5432 registers fine and never reaches its target.
 */
export const rdsProxyEgress = (): StackValidationPolicy => ({
  name: "rds-proxy-egress",
  description: "An RDS Proxy's security group allows egress to PostgreSQL (5432).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const egress: { group?: string; rule: Props }[] = [];
    for (const r of args.resources) {
      if (/^aws:vpc\/securityGroupEgressRule:/.test(r.type))
        egress.push({ group: r.props.securityGroupId, rule: r.props });
      if (/^aws:ec2\/securityGroupRule:/.test(r.type) && r.props.type === "egress")
        egress.push({ group: r.props.securityGroupId, rule: r.props });
      if (/^aws:ec2\/securityGroup:/.test(r.type))
        for (const rule of r.props.egress ?? []) egress.push({ group: r.props.id, rule });
    }
    for (const proxy of args.resources.filter((r) => r.type === "aws:rds/proxy:Proxy")) {
      const groups: unknown[] = proxy.props.vpcSecurityGroupIds ?? [];
      // In a preview, new groups' ids are unknown: then any 5432 egress rule of an unknown group counts.
      const matches = (group?: string) => !known(group) || !groups.every(known) || groups.includes(group);
      if (!egress.some((e) => covers(e.rule, 5432) && matches(e.group))) {
        report(
          `RDS Proxy ${proxy.name} cannot reach its database: add an egress rule to port 5432 (the database's security group) on the proxy's security group.`,
          proxy.urn,
        );
      }
    }
  },
});

/** AWS Backup cannot start an RDS job in the hour before or during maintenance, nor in the RDS backup window. */
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
              `AWS Backup plan ${plan.name} rule ${rule.ruleName} starts at ${start} (+${startWindowMinutes} min), inside RDS instance ${db.name}'s ${conflicts.join(" and ")} window (maintenance: ${db.props.maintenanceWindow} and the hour before; backup: ${db.props.backupWindow}): AWS Backup cannot start the job then. Move the schedule.`,
              plan.urn,
            );
          }
        }
      }
    }
  },
});

/** A replica that cannot grow fills up and stops replicating while its primary keeps growing. */
export const rdsReplicaAutoscales = (): StackValidationPolicy => ({
  name: "rds-replica-storage-autoscaling",
  description: "RDS read replicas autoscale storage at least as far as their source.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === RDS_INSTANCE);
    for (const replica of instances.filter((r) => r.props.replicateSourceDb)) {
      const source = sourceOf(instances, replica);
      const ceiling = source?.props.maxAllocatedStorage ?? 0;
      if ((replica.props.maxAllocatedStorage ?? 0) < ceiling) {
        report(
          `RDS replica ${replica.name} autoscales to ${replica.props.maxAllocatedStorage ?? "no"} GiB but its source ${source!.name} to ${ceiling} GiB: set maxAllocatedStorage to at least ${ceiling}.`,
          replica.urn,
        );
      }
    }
  },
});

/**
 * A vault lock with changeableForDays becomes compliance mode: after the grace period nobody can lift it or
 * shorten retention (AWS Backup developer guide, "AWS Backup Vault Lock"). Only by the platform team's opt-in.
 */
export const backupVaultLockGovernance = (): ResourceValidationPolicy => ({
  name: "backup-vault-lock-governance",
  description: "Backup vault locks use governance mode unless compliance mode is explicitly allowed.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { allowCompliance: { type: "boolean", default: false } } },
  validateResource: (args, report) => {
    if (args.type !== "aws:backup/vaultLockConfiguration:VaultLockConfiguration") return;
    const { allowCompliance } = args.getConfig<{ allowCompliance: boolean }>();
    if (args.props.changeableForDays !== undefined && !allowCompliance) {
      report(
        `${label(args)} sets changeableForDays, which makes the lock irreversible compliance mode: omit it (governance mode), or allow compliance in this policy's config (allowCompliance: true).`,
      );
    }
  },
});

/** "breaching" pages during the first minutes of every new resource and forever on a quiet metric. */
export const alarmsNotBreachingOnMissingData = (): ResourceValidationPolicy => ({
  name: "cloudwatch-alarm-missing-data-not-breaching",
  description: "CloudWatch alarms do not treat missing data as breaching.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== "aws:cloudwatch/metricAlarm:MetricAlarm") return;
    if (args.props.treatMissingData === "breaching") {
      report(
        `${label(args)} treats missing data as breaching: use "missing" (or "notBreaching" for metrics only some nodes report, such as replication lag).`,
      );
    }
  },
});

export const awsOperationPolicies = [
  rdsProxyEgress(),
  backupWindowClear(),
  rdsReplicaAutoscales(),
  backupVaultLockGovernance(),
  alarmsNotBreachingOnMissingData(),
];

export type { PolicyResource };
