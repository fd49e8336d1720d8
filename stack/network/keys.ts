// The network's config keys (AWS): the VPC and subnets the stores live in, and who may reach them. No
// defaults: they name real account resources, so a stack file must give them.
import { arrayOf, matching } from "../config/key-spec";
import { aws, cidr, securityGroupId, subnet, subnetText } from "../config/aws-parsers";
import type { RuleContext } from "../config/rules";
import type { Parsed } from "../config/key-spec";

export const networkKeys = {
  vpcId: aws({
    type: "string",
    parse: matching(/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/, "a VPC id such as vpc-0123456789abcdef0"),
    description: "VPC that hosts RDS and ElastiCache.",
  }),
  privateSubnets: aws({
    type: "array",
    parse: arrayOf(subnet, 2, 16, 'entries "subnet-…=<availability zone>"'),
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

export function networkRules(c: RuleContext): void {
  const { s } = c;
  const subnets = s.privateSubnets ?? [];
  const shown = subnets.map(subnetText);
  const zones = new Set(subnets.map((entry) => entry.availabilityZone));
  if (new Set(subnets.map((entry) => entry.id)).size !== subnets.length)
    c.invalid("privateSubnets", shown, "distinct subnet ids");
  if (zones.size < 2)
    c.invalid(
      "privateSubnets",
      shown,
      "subnets in at least 2 different availability zones (Multi-AZ and replicas need a second AZ)",
    );
  if ((s.allowedCidrs ?? []).length + (s.allowedSecurityGroupIds ?? []).length === 0)
    c.problem(
      `Missing required config key ${c.fq("allowedSecurityGroupIds")} or ${c.fq("allowedCidrs")}: ` +
        "nothing could reach the databases. Give the app's security group or a CIDR.",
    );
  // Without either, `pulumi up` builds RDS and then waits out the connect deadline from a host it cannot
  // reach.
  if ((s.deployRunnerSecurityGroupIds ?? []).length === 0 && !s.schemaEndpoint)
    c.problem(
      `Missing required config key ${c.fq("deployRunnerSecurityGroupIds")} or ${c.fq("schemaEndpoint")}: ` +
        "the schema step connects to the primary from the host running `pulumi up`. Give the deploy runner's " +
        "security group (`pulumi config set --path 'deployRunnerSecurityGroupIds[0]' sg-…`) or a tunnel " +
        "(`pulumi config set schemaEndpoint localhost:15432`).",
    );
}

export const networkSettings = (s: Parsed<typeof networkKeys>) => ({
  vpcId: s.vpcId,
  privateSubnets: s.privateSubnets,
  allowedCidrs: s.allowedCidrs,
  allowedSecurityGroupIds: s.allowedSecurityGroupIds,
  deployRunnerSecurityGroupIds: s.deployRunnerSecurityGroupIds,
});
