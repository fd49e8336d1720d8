import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as sns from "@pulumi/aws/sns";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmSpec } from "../../lib/aws/alarm-specs";
import type { Tags } from "../../lib/aws/tags";

export interface StackAlarmsArgs {
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly email: string;
  readonly alarms: readonly AlarmSpec[];
  readonly tags: Tags;
}

/** One SNS topic (encrypted, optional email subscription) and a CloudWatch alarm per spec, firing into it. */
export class StackAlarms extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: StackAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:StackAlarms", name, {}, opts);
    const topic = new sns.Topic(
      `${name}-topic`,
      { kmsMasterKeyId: args.kmsKeyArn, tags: args.tags },
      { parent: this },
    );
    if (args.email) {
      new sns.TopicSubscription(
        `${name}-email`,
        { topic: topic.arn, protocol: "email", endpoint: args.email },
        { parent: this },
      );
    }
    for (const a of args.alarms) {
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
          treatMissingData: "breaching",
          alarmActions: [topic.arn],
          okActions: [topic.arn],
          tags: args.tags,
        },
        { parent: this },
      );
    }
    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
