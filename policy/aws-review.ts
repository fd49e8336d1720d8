// Rules from the third AWS review (#19): blue/green limits, storage and PostgreSQL alarms that page for the right
// reasons, and replicas AWS does not patch at random. Same shape as the other rule files.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { RDS_INSTANCE, Props, isPrimary, onType, resourcePolicy, sourceOf } from "./kit";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const GiB = 1024 ** 3;
const known = (v: unknown): v is string => typeof v === "string" && v !== "";
const alarmsOn = (resources: PolicyResource[], metric: string, dimension: string, value: string) =>
  resources.filter(
    (r) => r.type === ALARM && r.props.metricName === metric && r.props.dimensions?.[dimension] === value,
  );

/**
 * terraform-provider-aws (internal/service/rds/instance.go, update): with blue_green_update it switches over and
 * deletes the old primary with SkipFinalSnapshot; replicas are not followed (their resources name "-old1"
 * instances afterwards). AWS: blue/green does not support Secrets Manager-managed master passwords
 * (RDS user guide, "Limitations and considerations for blue/green deployments").
 */
export const rdsBlueGreenCompatible = (): StackValidationPolicy => ({
  name: "rds-blue-green-compatible",
  description:
    "An RDS primary updated through blue/green has no read replicas in the stack and no RDS-managed master password.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === RDS_INSTANCE);
    for (const db of instances.filter(
      (r) => isPrimary(r.props) && r.props.blueGreenUpdate?.enabled === true,
    )) {
      const replicas = instances.filter((r) => sourceOf(instances, r) === db);
      if (replicas.length)
        report(
          `RDS instance ${db.name} updates through blue/green but has read replicas (${replicas.map((r) => r.name).join(", ")}): after a switchover they name the old instances. Turn blue/green off or drop the replicas.`,
          db.urn,
        );
      if (db.props.manageMasterUserPassword === true)
        report(
          `RDS instance ${db.name} updates through blue/green with manageMasterUserPassword: blue/green deployments do not support RDS-managed master passwords. Turn one off.`,
          db.urn,
        );
    }
  },
});

/**
 * Storage autoscaling reacts when free space is below 10 % of the current allocation; an alarm at or above 10 %
 * of the initial allocation pages on every normal autoscale. Running out is RDS's "low storage" category
 * (RDS-EVENT-0007, -0089); nearing maxAllocatedStorage is RDS-EVENT-0225, which AWS files under "notification"
 * (RDS user guide, USER_Events.Messages.html): an RDS event subscription must carry both.
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
            `${alarm.name} pages at ${(alarm.props.threshold / GiB).toFixed(1)} GiB free, at or above the 10 % of ${allocated(db)} GiB where storage autoscaling of ${db.name} starts: set the threshold below ${(trigger / GiB).toFixed(1)} GiB.`,
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
        `RDS instances autoscale storage but no RDS event subscription carries ${missing.map((c) => `"${c}"`).join(" and ")}: nothing warns when they run out ("low storage": RDS-EVENT-0007/0089) or near maxAllocatedStorage ("notification": RDS-EVENT-0225).`,
      );
  },
});

/** What pages before PostgreSQL stops: wraparound, WAL held back, disk saturation, and the proxy's target health. */
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
        // Read parameterGroupName only when some group replicates logically: in a preview an auto-named group's
        // name is unknown, and touching it makes the analyzer skip the whole rule.
        ...(logical.size && logical.has(db.props.parameterGroupName) ? ["OldestReplicationSlotLag"] : []),
      ];
      const missing = required.filter(
        (m) => !alarmsOn(args.resources, m, "DBInstanceIdentifier", db.props.identifier).length,
      );
      if (missing.length)
        report(`RDS instance ${db.name} has no alarm on ${missing.join(", ")}: add them.`, db.urn);
    }
    for (const proxy of args.resources.filter((r) => r.type === "aws:rds/proxy:Proxy" && known(r.props.name)))
      if (!alarmsOn(args.resources, "AvailabilityPercentage", "ProxyName", proxy.props.name).length)
        report(`RDS Proxy ${proxy.name} has no AvailabilityPercentage alarm: add one.`, proxy.urn);
  },
});

/** Without a window AWS assigns each replica a random 30-minute one (RDS user guide, "Maintaining a DB instance"). */
export const rdsReplicaMaintenanceWindow = () =>
  resourcePolicy(
    "rds-replica-maintenance-window",
    "RDS read replicas set their maintenance window.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (!isPrimary(p) && !p.maintenanceWindow)
        report(
          `RDS replica ${a.name} has no maintenanceWindow: AWS picks a random one. Set it (after the primary's).`,
        );
    }),
  );

export const awsReviewPolicies = [
  rdsBlueGreenCompatible(),
  rdsStorageAlarmBelowAutoscaling(),
  rdsPostgresAlarms(),
  rdsReplicaMaintenanceWindow(),
];
