// What one alarm is, as data: stack/monitoring/rds-alarm-specs.ts and redis-alarm-specs.ts describe them,
// alarm-specs.ts composes the stack's list, stack/monitoring/alarms.ts creates them.
import type * as pulumi from "@pulumi/pulumi";

/** One CloudWatch alarm, described as data; stack/monitoring/alarms.ts turns each into a MetricAlarm. */
export interface AlarmSpec {
  readonly key: string;
  readonly description: string;
  readonly namespace: "AWS/RDS" | "AWS/ElastiCache";
  readonly metric: string;
  readonly dimensions: Record<string, pulumi.Input<string>>;
  readonly statistic: "Average" | "Maximum" | "Minimum" | "Sum";
  readonly comparison: "GreaterThanThreshold" | "LessThanThreshold";
  readonly threshold: number;
  /** Consecutive 5-minute periods before it fires. */
  readonly periods?: number;
  /**
   * Never "breaching": new resources report nothing for their first minutes, and a metric that only a role
   * reports (replication lag on a replica) goes quiet on the node that became primary. Default "missing".
   */
  readonly missingData?: "missing" | "notBreaching";
}
