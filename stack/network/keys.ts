// The network's config keys (AWS): the VPC and subnets the stores live in, and who may reach them. No defaults:
// they name real account resources, so a stack file must give them.
import { arrayOf, matching } from "../config/key-spec";
import { aws, cidr, securityGroupId, subnetWithZone } from "../config/aws-parsers";

export const networkKeys = {
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
  deployRunnerSecurityGroupIds: aws({
    type: "array",
    default: [] as string[],
    parse: arrayOf(securityGroupId, 0, 5, "security group ids"),
    description:
      "Security groups of the deploy runner that applies the schema (PostgreSQL 5432 only); an AWS stack needs these or schemaEndpoint.",
  }),
};
