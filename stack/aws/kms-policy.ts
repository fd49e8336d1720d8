// Key policies for the stack's KMS keys, as pure functions. The data key (storage, secrets, logs, backups) is
// used only through the AWS services that encrypt with it; the alarm key is used only by the services that
// publish to the alarm topic. Neither key can be scheduled for deletion except by a named break-glass role.
export interface KeyPolicyInput {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  /**
   * Only this role may call kms:ScheduleKeyDeletion; empty: nobody (an administrator must edit the policy
   * first).
   */
  readonly breakGlassRoleArn?: string;
}

const USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

function administration(p: KeyPolicyInput): object[] {
  const account = `arn:${p.partition}:iam::${p.accountId}:root`;
  return [
    {
      Sid: "AccountAdministers",
      Effect: "Allow",
      Principal: { AWS: account },
      Action: "kms:*",
      Resource: "*",
    },
    {
      // An explicit deny beats the kms:* above: losing the key loses every backup encrypted with it.
      Sid: "NoKeyDeletionOutsideBreakGlass",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "kms:ScheduleKeyDeletion",
      Resource: "*",
      ...(p.breakGlassRoleArn
        ? { Condition: { ArnNotEquals: { "aws:PrincipalArn": p.breakGlassRoleArn } } }
        : {}),
    },
  ];
}

export function keyPolicy(p: KeyPolicyInput): string {
  const account = `arn:${p.partition}:iam::${p.accountId}:root`;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      ...administration(p),
      {
        Sid: "CloudWatchLogs",
        Effect: "Allow",
        Principal: { Service: `logs.${p.region}.amazonaws.com` },
        Action: USE,
        Resource: "*",
        Condition: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": `arn:${p.partition}:logs:${p.region}:${p.accountId}:log-group:*`,
          },
        },
      },
      {
        Sid: "ServicesUseViaGrants",
        Effect: "Allow",
        Principal: { AWS: account },
        Action: [...USE, "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "kms:CallerAccount": p.accountId,
            "kms:ViaService": ["rds", "elasticache", "secretsmanager", "backup"].map(
              (s) => `${s}.${p.region}.amazonaws.com`,
            ),
          },
        },
      },
    ],
  });
}

/**
 * The alarm topic's own key, so nothing that may publish alarms can touch the data key: CloudWatch only for
 * this account's alarms (it sends aws:SourceArn), RDS event notifications only for this account (SNS
 * developer guide, "Enable compatibility between event sources from AWS services and encrypted topics").
 */
export function alarmKeyPolicy(p: KeyPolicyInput): string {
  const publish = (sid: string, service: string, condition: object) => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: service },
    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
    Resource: "*",
    Condition: condition,
  });
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      ...administration(p),
      publish("CloudWatchAlarms", "cloudwatch.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": p.accountId },
        ArnLike: { "aws:SourceArn": `arn:${p.partition}:cloudwatch:${p.region}:${p.accountId}:alarm:*` },
      }),
      publish("RdsEvents", "events.rds.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": p.accountId },
      }),
    ],
  });
}
