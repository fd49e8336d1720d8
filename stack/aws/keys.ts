// The AWS account's config keys: which account the stack deploys into, and its KMS keys.
import { InvalidValue, matching } from "../config/key-spec";
import { aws, optional } from "../config/aws-parsers";
import { stackNameProblems } from "./identifiers";
import type { RuleContext } from "../config/rules";
import type { Parsed } from "../config/key-spec";

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

/**
 * The primary region, and a default provider that refuses any other account (per-resource regions included).
 */
export function awsRules(c: RuleContext): void {
  const { s, raw } = c;
  for (const problem of stackNameProblems(c.stack, Number(s.postgresReplicaCount ?? 0))) c.problem(problem);
  if (raw["aws:region"] === undefined)
    c.problem(
      "Missing required config key aws:region for this aws stack: the primary region. Set it with `pulumi config set aws:region eu-west-1`.",
    );
  const value = raw["aws:allowedAccountIds"];
  const how = `Set it with \`pulumi config set --path 'aws:allowedAccountIds[0]' ${s.awsAccountId}\`.`;
  if (value === undefined) {
    c.problem(
      `Missing required config key aws:allowedAccountIds for this aws stack: the AWS provider must refuse ` +
        `credentials of any account but awsAccountId (${s.awsAccountId}). ${how}`,
    );
    return;
  }
  let ids: unknown;
  try {
    ids = JSON.parse(value);
  } catch {
    ids = undefined;
  }
  if (!Array.isArray(ids) || ids.length !== 1 || String(ids[0]) !== s.awsAccountId)
    c.problem(
      `Invalid value for aws:allowedAccountIds: ${JSON.stringify(value)}. Allowed values are: ` +
        `a list holding exactly awsAccountId (["${s.awsAccountId}"]). ${how}`,
    );
}

const partitionOf = (region: string) =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";

/** The account, with aws:region (the AWS provider's own key) and the partition it implies. */
export const awsAccountSettings = (s: Parsed<typeof awsKeys>, region: string) => ({
  accountId: s.awsAccountId,
  region,
  partition: partitionOf(region),
  kmsKeyArn: s.kmsKeyArn,
  breakGlassRoleArn: s.kmsBreakGlassRoleArn,
});
