// Monitoring and alarms: Performance Insights encryption, alarms that page for the right reasons (storage,
// replica lag, PostgreSQL's own), and missing data treated as not breaching.
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  ALARM,
  EVENT_SUBSCRIPTION,
  RDS_INSTANCE,
  RDS_PROXY,
  Props,
  onType,
  isPrimary,
  sourceOf,
  regionOf,
  label,
  resourcePolicy,
  known,
  GiB,
  alarmsOn,
} from "./kit";
import { fixes } from "./fixes";

/** The config key or stack file behind each property this file's rules report on (policy/fixes.ts). */
export const monitoringFixes = fixes("policy/monitoring.ts", {
  codeSet: {
    [RDS_INSTANCE]: { performanceInsightsKmsKeyId: "stack/postgres/rds.ts" },
    [ALARM]: {
      treatMissingData: "stack/monitoring/alarms.ts",
      threshold: "stack/monitoring/alarm-specs.ts",
      alarms: "stack/monitoring/alarm-specs.ts",
    },
    [EVENT_SUBSCRIPTION]: { eventCategories: "stack/monitoring/alarms.ts" },
  },
});
const { fix } = monitoringFixes;

export const rdsPerformanceInsightsEncrypted = () =>
  resourcePolicy(
    "rds-performance-insights-encrypted",
    "Performance Insights data is encrypted with a customer key.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (p.performanceInsightsEnabled === true && !p.performanceInsightsKmsKeyId) {
        report(
          `RDS instance ${a.name} must encrypt Performance Insights: ${fix(RDS_INSTANCE, "performanceInsightsKmsKeyId", "to the stack's key")}.`,
        );
      }
    }),
  );

/** "breaching" pages during the first minutes of every new resource and forever on a quiet metric. */
export const alarmsNotBreachingOnMissingData = (): ResourceValidationPolicy => ({
  name: "cloudwatch-alarm-missing-data-not-breaching",
  description: "CloudWatch alarms do not treat missing data as breaching.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== "aws:cloudwatch/metricAlarm:MetricAlarm") return;
    if (args.props.treatMissingData === "breaching") {
      report(
        `${label(args)} treats missing data as breaching: ${fix(ALARM, "treatMissingData", 'to "missing" (or "notBreaching" for metrics only some nodes report, such as replication lag)')}.`,
      );
    }
  },
});

/**
 * Storage autoscaling reacts when free space is below 10 % of the current allocation; an alarm at or above 10
 * % of the initial allocation pages on every normal autoscale. Running out is RDS's "low storage" category
 * (RDS-EVENT-0007, -0089); nearing maxAllocatedStorage is RDS-EVENT-0225, which AWS files under
 * "notification" (RDS user guide, USER_Events.Messages.html): an RDS event subscription must carry both.
 */
export const rdsStorageAlarmBelowAutoscaling = (): StackValidationPolicy => ({
  name: "cloudwatch-rds-storage-alarm",
  description:
    "Free-storage alarms of autoscaling RDS instances page below the autoscaling trigger, and RDS low-storage events are subscribed.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === RDS_INSTANCE && known(r.props.identifier));
    // A replica is created at its source's size and sets no allocatedStorage of its own.
    const allocated = (r: PolicyResource): number | undefined =>
      r.props.allocatedStorage ?? sourceOf(instances, r)?.props.allocatedStorage;
    const autoscaling = instances.filter(
      (r) => allocated(r) !== undefined && (r.props.maxAllocatedStorage ?? 0) > allocated(r)!,
    );
    for (const db of autoscaling) {
      const trigger = allocated(db)! * GiB * 0.1;
      for (const alarm of alarmsOn(
        args.resources,
        "FreeStorageSpace",
        "DBInstanceIdentifier",
        db.props.identifier,
      ))
        if (alarm.props.threshold >= trigger)
          report(
            `${alarm.name} pages at ${(alarm.props.threshold / GiB).toFixed(1)} GiB free, at or above the 10 % of ${allocated(db)} GiB where storage autoscaling of ${db.name} starts: ${fix(ALARM, "threshold", `below ${(trigger / GiB).toFixed(1)} GiB`)}.`,
            alarm.urn,
          );
    }
    const subscribed = (category: string) =>
      args.resources.some(
        (r) =>
          r.type === "aws:rds/eventSubscription:EventSubscription" &&
          (r.props.eventCategories ?? []).includes(category),
      );
    const missing = ["low storage", "notification"].filter((c) => !subscribed(c));
    if (autoscaling.length && missing.length)
      report(
        `RDS instances autoscale storage but no RDS event subscription carries ${missing.map((c) => `"${c}"`).join(" and ")}: nothing warns when they run out ("low storage": RDS-EVENT-0007/0089) or near maxAllocatedStorage ("notification": RDS-EVENT-0225). ${fix(EVENT_SUBSCRIPTION, "eventCategories", "to include them")}.`,
      );
  },
});

/**
 * What pages before PostgreSQL stops: wraparound, WAL held back, disk saturation, and the proxy's target
 * health.
 */
export const rdsPostgresAlarms = (): StackValidationPolicy => ({
  name: "cloudwatch-rds-postgres-alarms",
  description:
    "RDS PostgreSQL primaries alarm on transaction ID use, WAL disk use, disk queue and latency (slot lag with logical replication); RDS Proxies on availability.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const logical = new Set(
      args.resources
        .filter(
          (r) =>
            r.type === "aws:rds/parameterGroup:ParameterGroup" &&
            (r.props.parameters ?? []).some(
              (p: Props) => p.name === "rds.logical_replication" && String(p.value) === "1",
            ),
        )
        .map((r) => r.props.name),
    );
    for (const db of args.resources.filter(
      (r) => r.type === RDS_INSTANCE && isPrimary(r.props) && known(r.props.identifier),
    )) {
      const required = [
        "MaximumUsedTransactionIDs",
        "TransactionLogsDiskUsage",
        "DiskQueueDepth",
        "ReadLatency",
        "WriteLatency",
        // Read parameterGroupName only when some group replicates logically: in a preview an auto-named
        // group's name is unknown, and touching it makes the analyzer skip the whole rule.
        ...(logical.size && logical.has(db.props.parameterGroupName) ? ["OldestReplicationSlotLag"] : []),
      ];
      const missing = required.filter(
        (m) => !alarmsOn(args.resources, m, "DBInstanceIdentifier", db.props.identifier).length,
      );
      if (missing.length)
        report(
          `RDS instance ${db.name} has no alarm on ${missing.join(", ")}: ${fix(ALARM, "alarms", "to include them")}.`,
          db.urn,
        );
    }
    for (const proxy of args.resources.filter((r) => r.type === RDS_PROXY && known(r.props.name)))
      if (!alarmsOn(args.resources, "AvailabilityPercentage", "ProxyName", proxy.props.name).length)
        report(
          `RDS Proxy ${proxy.name} has no AvailabilityPercentage alarm: ${fix(ALARM, "alarms", "to include one")}.`,
          proxy.urn,
        );
  },
});

/**
 * Every read replica alarms on ReplicaLag, in its own region: CloudWatch alarms watch their own region's
 * metrics, so an alarm for a cross-region replica created in the primary's region never sees a data point.
 */
export const rdsReplicaLagAlarm = (): StackValidationPolicy => ({
  name: "cloudwatch-rds-replica-lag-alarm",
  description: "RDS read replicas have a ReplicaLag alarm in the replica's own region.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const alarms = args.resources.filter(
      (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.props.metricName === "ReplicaLag",
    );
    for (const replica of args.resources.filter(
      (r) => r.type === RDS_INSTANCE && !isPrimary(r.props) && typeof r.props.identifier === "string",
    )) {
      const mine = alarms.filter(
        (a) => a.props.dimensions?.DBInstanceIdentifier === replica.props.identifier,
      );
      if (!mine.length)
        report(
          `RDS replica ${replica.name} has no ReplicaLag alarm: ${fix(ALARM, "alarms", "to include one")}.`,
          replica.urn,
        );
      else if (!mine.some((a) => regionOf(a) === regionOf(replica)))
        report(
          `RDS replica ${replica.name} runs in ${regionOf(replica)} but its ReplicaLag alarm is in ${regionOf(mine[0])}: create the alarm (and its topic) in the replica's region (${fix(ALARM, "alarms", "")}).`,
          replica.urn,
        );
    }
  },
});

export const monitoringPolicies = [
  rdsPerformanceInsightsEncrypted(),
  alarmsNotBreachingOnMissingData(),
  rdsStorageAlarmBelowAutoscaling(),
  rdsPostgresAlarms(),
  rdsReplicaLagAlarm(),
];
