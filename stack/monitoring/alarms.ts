import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as rds from "@pulumi/aws/rds";
import * as sns from "@pulumi/aws/sns";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmSpec } from "./alarm-specs";
import type { KeyPolicyInput } from "../aws/kms-policy";
import type { Tags } from "../aws/tags";
import { StackKey } from "../aws/kms";

/**
 * RDS event categories worth a page (RDS user guide, "Amazon RDS event categories and event messages",
 * USER_Events.Messages.html). "notification" is there because RDS-EVENT-0225 (allocated storage nearing the
 * maximum storage threshold) is filed under it, not under "low storage" (0007, 0089 only).
 */
export const RDS_EVENT_CATEGORIES = [
  "availability",
  "failover",
  "failure",
  "low storage",
  "maintenance",
  "notification",
  "recovery",
];

export interface StackAlarmsArgs {
  readonly alias: string;
  readonly keyPolicy: KeyPolicyInput;
  readonly email: string;
  readonly alarms: readonly AlarmSpec[];
  /** RDS instances whose events (failover, storage full, maintenance, …) go to the topic. */
  readonly rdsInstanceIds: pulumi.Input<string>[];
  /**
   * Another region than the provider's (a cross-region replica): alarms, their topic and its key, and the
   * event subscription all live there, because an alarm watches its own region's metrics and may only notify
   * a topic of its own region, and RDS events go to a topic of the instance's region.
   */
  readonly region?: string;
  readonly tags: Tags;
}

/**
 * ElastiCache cannot publish to an encrypted topic (ElastiCache user guide, "Event Notifications and Amazon
 * SNS": "The Amazon SNS topic you are publishing to cannot be encrypted"), so its notifications (failover,
 * node replaced, …) get their own unencrypted topic: event names and node ids only, same subscriber as the
 * alarms.
 */
export function cacheEventsTopic(
  name: string,
  email: string,
  tags: Tags,
  parent: pulumi.Resource,
): sns.Topic {
  const topic = new sns.Topic(name, { tags }, { parent });
  if (email)
    new sns.TopicSubscription(
      `${name}-email`,
      { topic: topic.arn, protocol: "email", endpoint: email },
      { parent },
    );
  return topic;
}

/**
 * One SNS topic with its own KMS key (the data key stays closed to CloudWatch and SNS), an email
 * subscription, a CloudWatch alarm per spec and an RDS event subscription into it.
 */
export class StackAlarms extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: StackAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:StackAlarms", name, {}, opts);
    const parent = { parent: this };
    const there = args.region ? { region: args.region } : {};
    const key = new StackKey(
      `${name}-key`,
      {
        ...args.keyPolicy,
        ...(args.region ? { region: args.region, inOwnRegion: true } : {}),
        purpose: "alarms",
        alias: `${args.alias}-alarms`,
        tags: args.tags,
      },
      parent,
    );
    const topic = new sns.Topic(
      `${name}-topic`,
      { kmsMasterKeyId: key.arn, tags: args.tags, ...there },
      parent,
    );
    // ElastiCache's own (unencrypted) topic is cacheEventsTopic, created where the replication group is.
    if (args.email) {
      new sns.TopicSubscription(
        `${name}-email`,
        { topic: topic.arn, protocol: "email", endpoint: args.email, ...there },
        parent,
      );
    }
    for (const a of args.alarms) this.alarm(name, a, topic.arn, args.tags, there);
    new rds.EventSubscription(
      `${name}-rds-events`,
      {
        snsTopic: topic.arn,
        sourceType: "db-instance",
        sourceIds: args.rdsInstanceIds,
        eventCategories: RDS_EVENT_CATEGORIES,
        tags: args.tags,
        ...there,
      },
      parent,
    );
    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }

  private alarm(
    name: string,
    a: AlarmSpec,
    topicArn: pulumi.Output<string>,
    tags: Tags,
    there: { region?: string },
  ): void {
    new cloudwatch.MetricAlarm(
      `${name}-${a.key}`,
      {
        alarmDescription: a.description,
        namespace: a.namespace,
        metricName: a.metric,
        dimensions: a.dimensions,
        statistic: a.statistic,
        comparisonOperator: a.comparison,
        threshold: a.threshold,
        period: 300,
        evaluationPeriods: a.periods ?? 3,
        treatMissingData: a.missingData ?? "missing",
        alarmActions: [topicArn],
        okActions: [topicArn],
        tags,
        ...there,
      },
      { parent: this },
    );
  }
}
