// Config keys that only AWS stacks (staging, prod) read. Network inputs have no defaults: they name real
// account resources, so a stack file must give them.
import { InvalidValue, KeySpec, arrayOf, matching } from "./spec";

export const subnetWithZone = matching(
  /^subnet-[0-9a-f]{8}([0-9a-f]{9})?=[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/,
  'a subnet id and its availability zone as "subnet-0123456789abcdef0=eu-west-1a"',
);

function cidr(raw: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(raw);
  const v6 = /^[0-9a-fA-F:]+\/(\d{1,3})$/.exec(raw);
  const validV4 = v4 !== null && v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
  const validV6 = v6 !== null && raw.includes(":") && Number(v6[1]) <= 128;
  if (!validV4 && !validV6) throw new InvalidValue("an IPv4 or IPv6 CIDR such as 10.0.0.0/16");
  if (/^0\.0\.0\.0\/0$|^::\/0$/.test(raw)) {
    throw new InvalidValue("a CIDR narrower than the whole internet (0.0.0.0/0 and ::/0 are refused)");
  }
  return raw;
}

const securityGroupId = matching(
  /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/,
  "a security group id such as sg-0123456789abcdef0",
);

export const awsKeys = {
  vpcId: {
    type: "string",
    scope: "aws",
    parse: matching(/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/, "a VPC id such as vpc-0123456789abcdef0"),
    description: "VPC that hosts RDS and ElastiCache.",
  } satisfies KeySpec<string>,
  privateSubnets: {
    type: "array",
    scope: "aws",
    parse: arrayOf(subnetWithZone, 2, 16, 'entries "subnet-…=<availability zone>"'),
    description:
      'Private subnets as "subnet-id=availability-zone" (ids do not encode the AZ); at least 2 AZs.',
  } satisfies KeySpec<string[]>,
  allowedCidrs: {
    type: "array",
    scope: "aws",
    default: [] as string[],
    parse: arrayOf(cidr, 0, 20, "CIDRs"),
    description: "CIDRs allowed to reach PostgreSQL (5432) and Redis (6379); never the whole internet.",
  } satisfies KeySpec<string[]>,
  allowedSecurityGroupIds: {
    type: "array",
    scope: "aws",
    default: [] as string[],
    parse: arrayOf(securityGroupId, 0, 10, "security group ids"),
    description: "Security groups (e.g. the app's) allowed to reach PostgreSQL and Redis.",
  } satisfies KeySpec<string[]>,
};
