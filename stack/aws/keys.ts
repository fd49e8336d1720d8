// The AWS account's config keys: which account the stack deploys into, and its KMS keys.
import { InvalidValue, matching } from "../config/key-spec";
import { aws, optional } from "../config/aws-parsers";

function roleArnOrEmpty(raw: string): string {
  if (raw === "" || /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/.test(raw)) return raw;
  throw new InvalidValue(
    '"" (no break-glass role) or an IAM role ARN such as arn:aws:iam::123456789012:role/break-glass',
  );
}

export const awsKeys = {
  awsAccountId: aws({
    type: "string",
    parse: matching(/^\d{12}$/, "a 12-digit AWS account id"),
    description:
      "AWS account the stack deploys into (key policies name it; no lookup is needed at deploy time).",
  }),
  kmsKeyArn: aws({
    type: "string",
    default: "",
    parse: optional(
      matching(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, ""),
      "a KMS key ARN",
    ),
    description:
      "Existing KMS key for storage, Performance Insights, secrets, logs and backups; empty creates one.",
  }),
  kmsBreakGlassRoleArn: aws({
    type: "string",
    default: "",
    parse: roleArnOrEmpty,
    description:
      "IAM role that alone may schedule deletion of the stack's KMS keys; empty denies it to every principal.",
  }),
};
