// Stack-wide AWS rules: required tags on everything taggable.
import { label, resourcePolicy } from "./kit";
import { fixes } from "./fixes";

/** The config key or stack file behind each property this file's rules report on (policy/fixes.ts). */
export const awsFixes = fixes("policy/aws.ts", { propertyKeys: { "aws:*": { tags: "owner" } } });
const { fix } = awsFixes;

/** AWS types that take no tags (checked against the provider schema). */
const UNTAGGABLE =
  /^aws:(iam\/rolePolicyAttachment|iam\/rolePolicy|kms\/alias|secretsmanager\/secretVersion|backup\/vaultLockConfiguration|backup\/selection|rds\/instanceAutomatedBackupsReplication|sns\/topicSubscription|rds\/proxyDefaultTargetGroup|rds\/proxyTarget|vpc\/securityGroup(Ingress|Egress)Rule|ec2\/securityGroupRule):/;

export const awsRequiredTags = () =>
  resourcePolicy(
    "aws-required-tags",
    "AWS resources carry the project, environment and owner tags.",
    (args, report) => {
      if (!args.type.startsWith("aws:") || UNTAGGABLE.test(args.type) || args.type.startsWith("pulumi:"))
        return;
      const { required } = args.getConfig<{ required: string[] }>();
      const missing = required.filter((tag) => !args.props.tags?.[tag]);
      if (missing.length)
        report(
          `${label(args)} is missing tag(s) ${missing.join(", ")}: pass the stack's tags (${fix(args.type, "tags", "for Owner")}).`,
        );
    },
    {
      properties: {
        required: { type: "array", items: { type: "string" }, default: ["Project", "Environment", "Owner"] },
      },
    },
  );

export const awsPolicies = [awsRequiredTags()];
