// Stack-wide AWS rules: required tags on everything taggable, and a cross-region AWS Backup copy.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { RDS_INSTANCE, Props, label, resourcePolicy } from "./kit";

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
        report(`${label(args)} is missing tag(s) ${missing.join(", ")}: pass the stack's tags.`);
    },
    {
      properties: {
        required: { type: "array", items: { type: "string" }, default: ["Project", "Environment", "Owner"] },
      },
    },
  );

export const backupCrossRegion = (): StackValidationPolicy => ({
  name: "backup-cross-region-copy",
  description:
    "A stack with RDS has an AWS Backup plan that copies recovery points to a vault in another region.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    if (!args.resources.some((r) => r.type === RDS_INSTANCE)) return;
    const plans = args.resources.filter((r) => r.type === "aws:backup/plan:Plan");
    const copying = plans.some((plan) =>
      (plan.props.rules ?? []).some((rule: Props) => (rule.copyActions ?? []).length > 0),
    );
    // @pulumi/aws 7: a resource's own `region` argument overrides its provider's.
    const regionOf = (r: PolicyResource) =>
      (r.props.region ?? r.provider?.props?.region) as string | undefined;
    const vaults = args.resources.filter((r) => r.type === "aws:backup/vault:Vault");
    const regions = new Set(vaults.map(regionOf));
    if (!plans.length)
      report(
        "The stack has RDS but no AWS Backup plan: add a daily plan with a copy action to another region.",
      );
    else if (!copying || regions.size < 2)
      report(
        "The AWS Backup plan must copy recovery points to a vault in a second region (copyActions → vault with a provider for that region).",
      );
  },
});

export const awsStackPolicies = [awsRequiredTags(), backupCrossRegion()];
