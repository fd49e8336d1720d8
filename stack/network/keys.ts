// AWS keys for the account and network: where the stack deploys, who may reach it, and the KMS key. Network inputs
// and account ids have no defaults: they name real account resources, so a stack file must give them.
import { arrayOf, matching } from "../config/key-spec";
import { aws, cidr, optional, securityGroupId, subnetWithZone } from "../config/aws-parsers";

export const awsNetworkKeys = {
  awsAccountId: aws({
    type: "string",
    parse: matching(/^\d{12}$/, "a 12-digit AWS account id"),
    description:
      "AWS account the stack deploys into (key policies name it; no lookup is needed at deploy time).",
  }),
  vpcId: aws({
    type: "string",
    parse: matching(/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/, "a VPC id such as vpc-0123456789abcdef0"),
    description: "VPC that hosts RDS and ElastiCache.",
  }),
  privateSubnets: aws({
    type: "array",
    parse: arrayOf(subnetWithZone, 2, 16, 'entries "subnet-…=<availability zone>"'),
    description:
      'Private subnets as "subnet-id=availability-zone" (ids do not encode the AZ); at least 2 AZs.',
  }),
  allowedCidrs: aws({
    type: "array",
    default: [] as string[],
    parse: arrayOf(cidr, 0, 20, "CIDRs"),
    description: "CIDRs allowed to reach PostgreSQL (5432) and Redis (6379); never the whole internet.",
  }),
  allowedSecurityGroupIds: aws({
    type: "array",
    default: [] as string[],
    parse: arrayOf(securityGroupId, 0, 10, "security group ids"),
    description: "Security groups (e.g. the app's) allowed to reach PostgreSQL and Redis.",
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
};
