// Key policy for the stack's KMS key, as a pure function: the account administers it; the services that encrypt
// with it (CloudWatch Logs, SNS for CloudWatch alarms, AWS Backup, RDS, ElastiCache, Secrets Manager) may use it.
export interface KeyPolicyInput {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
}

export function keyPolicy(p: KeyPolicyInput): string {
  const account = `arn:${p.partition}:iam::${p.accountId}:root`;
  const use = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: account },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchLogs",
        Effect: "Allow",
        Principal: { Service: `logs.${p.region}.amazonaws.com` },
        Action: use,
        Resource: "*",
        Condition: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": `arn:${p.partition}:logs:${p.region}:${p.accountId}:log-group:*`,
          },
        },
      },
      {
        Sid: "AlarmsPublishToEncryptedTopic",
        Effect: "Allow",
        Principal: { Service: ["cloudwatch.amazonaws.com", "sns.amazonaws.com"] },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": p.accountId } },
      },
      {
        Sid: "ServicesUseViaGrants",
        Effect: "Allow",
        Principal: { AWS: account },
        Action: [...use, "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
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
