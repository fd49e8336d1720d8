// Parsers shared by the AWS key tables: each returns the parsed value or throws InvalidValue naming what is
// allowed.
import { RDS_INSTANCE_CLASSES } from "../postgres/instance-classes";
import { InvalidValue, KeySpec, matching } from "./key-spec";

export const subnetWithZone = matching(
  /^subnet-[0-9a-f]{8}([0-9a-f]{9})?=[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/,
  'a subnet id and its availability zone as "subnet-0123456789abcdef0=eu-west-1a"',
);

/** A subnet and its availability zone: subnet ids do not encode the AZ, so the config gives both. */
export interface Subnet {
  readonly id: string;
  readonly availabilityZone: string;
}

/** "subnet-…=zone", parsed once into a Subnet. */
export function subnet(raw: string): Subnet {
  const [id, availabilityZone] = subnetWithZone(raw).split("=");
  return { id, availabilityZone };
}

/** A Subnet as the config writes it, for messages. */
export const subnetText = (s: Subnet) => `${s.id}=${s.availabilityZone}`;

export function cidr(raw: string): string {
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

export const securityGroupId = matching(
  /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/,
  "a security group id such as sg-0123456789abcdef0",
);
export const awsRegion = matching(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as eu-west-1");
export const window = (example: string) =>
  matching(
    /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/,
    `a UTC window hh:mm-hh:mm such as ${example}`,
  );
export const weeklyWindow = (example: string) =>
  matching(
    /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/,
    `a UTC window ddd:hh:mm-ddd:hh:mm such as ${example}`,
  );

export function rdsInstanceClass(raw: string): string {
  if (!(raw in RDS_INSTANCE_CLASSES)) {
    throw new InvalidValue(
      `an RDS instance class such as db.r6g.large (families t3, t4g, m5, m6g, m6i, m7g, r5, r6g, r6i, r7g; e.g. ${Object.keys(
        RDS_INSTANCE_CLASSES,
      )
        .filter((c) => c.startsWith("db.r6g."))
        .slice(0, 4)
        .join(", ")})`,
    );
  }
  return raw;
}

export const cacheNodeType = matching(
  /^cache\.(t3|t4g|m5|m6g|m7g|r5|r6g|r7g)\.(micro|small|medium|large|\d*xlarge)$/,
  "an ElastiCache node type such as cache.r7g.large or cache.t4g.small",
);
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export function logRetention(raw: string): number {
  const days = Number(raw);
  if (!LOG_RETENTION_DAYS.includes(days))
    throw new InvalidValue(`one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`);
  return days;
}

export function optional(parse: (raw: string) => string, allowed: string) {
  return (raw: string) => {
    if (raw === "") return raw;
    try {
      return parse(raw);
    } catch {
      throw new InvalidValue(`"" (not set) or ${allowed}`);
    }
  };
}

/** An AWS-only key (scope "aws"): dev stacks neither need nor read it. */
export const aws = <T>(spec: Omit<KeySpec<T>, "scope">): KeySpec<T> => ({ ...spec, scope: "aws" });
