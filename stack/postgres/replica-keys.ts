// The cross-region read replica's config keys (AWS): an encrypted replica of the primary in a second region,
// its own VPC, subnets and who may reach it. What it needs of the primary (automated backups, no blue/green)
// is checked with the primary's keys (./keys.ts).
import { arrayOf, matching } from "../config/key-spec";
import type { Parsed } from "../config/key-spec";
import { aws, awsRegion, cidr, optional, securityGroupId, subnet, subnetText } from "../config/aws-parsers";
import type { Subnet } from "../config/aws-parsers";
import type { RuleContext } from "../config/rules";
import type { CrossRegionReplica } from "./rds-settings";

export const crossRegionReplicaKeys = {
  postgresCrossRegionReplicaRegion: aws({
    type: "string",
    default: "",
    parse: optional(awsRegion, "an AWS region other than aws:region, such as eu-central-1"),
    description:
      "Region of an encrypted cross-region read replica of the primary (its own KMS key there); empty: none.",
  }),
  postgresCrossRegionReplicaVpcId: aws({
    type: "string",
    default: "",
    parse: optional(
      matching(/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/, ""),
      "a VPC id such as vpc-0123456789abcdef0",
    ),
    description:
      "VPC of the cross-region replica, in postgresCrossRegionReplicaRegion (its security group goes there).",
  }),
  postgresCrossRegionReplicaSubnets: aws({
    type: "array",
    default: [] as Subnet[],
    parse: arrayOf(subnet, 0, 16, 'entries "subnet-…=<availability zone>"'),
    description:
      'Private subnets of the cross-region replica as "subnet-id=availability-zone", in that region; at least 2 AZs.',
  }),
  postgresCrossRegionReplicaAllowedCidrs: aws({
    type: "array",
    default: [] as string[],
    parse: arrayOf(cidr, 0, 20, "CIDRs"),
    description: "CIDRs allowed to reach the cross-region replica on 5432; never the whole internet.",
  }),
  postgresCrossRegionReplicaAllowedSecurityGroupIds: aws({
    type: "array",
    default: [] as string[],
    parse: arrayOf(securityGroupId, 0, 10, "security group ids"),
    description:
      "Security groups in the replica's region (e.g. the app's there) allowed to reach it on 5432.",
  }),
};

const REPLICA_KEYS = [
  "postgresCrossRegionReplicaVpcId",
  "postgresCrossRegionReplicaSubnets",
  "postgresCrossRegionReplicaAllowedCidrs",
  "postgresCrossRegionReplicaAllowedSecurityGroupIds",
] as const;

export function crossRegionReplicaRules(c: RuleContext): void {
  const { s, raw } = c;
  const region = s.postgresCrossRegionReplicaRegion ?? "";
  if (!region) {
    for (const key of REPLICA_KEYS) {
      const value = s[key];
      if (Array.isArray(value) ? value.length : value)
        c.invalid(
          key,
          Array.isArray(value) ? value.map((v) => (typeof v === "string" ? v : subnetText(v))) : value,
          "empty unless postgresCrossRegionReplicaRegion is set (it configures that replica)",
        );
    }
    return;
  }
  if (region === raw["aws:region"])
    c.invalid(
      "postgresCrossRegionReplicaRegion",
      region,
      `a region other than aws:region (${region}); same-region replicas are postgresReplicaCount`,
    );
  if (!s.postgresCrossRegionReplicaVpcId)
    c.problem(
      `Missing required config key ${c.fq("postgresCrossRegionReplicaVpcId")}: the cross-region replica's security ` +
        `group is created in a VPC of ${region}. Set it with \`pulumi config set postgresCrossRegionReplicaVpcId vpc-…\`.`,
    );
  const subnets = s.postgresCrossRegionReplicaSubnets ?? [];
  const shown = subnets.map(subnetText);
  const zones = new Set(subnets.map((entry) => entry.availabilityZone));
  if (zones.size < 2 || [...zones].some((zone) => !zone.startsWith(region)))
    c.invalid(
      "postgresCrossRegionReplicaSubnets",
      shown,
      `subnets of ${region} in at least 2 different availability zones (a DB subnet group needs two), ` +
        `as "subnet-…=${region}a"`,
    );
  if (new Set(subnets.map((e) => e.id)).size !== subnets.length)
    c.invalid("postgresCrossRegionReplicaSubnets", shown, "distinct subnet ids");
}

/** The replica's settings; undefined when postgresCrossRegionReplicaRegion is empty (no replica). */
export function crossRegionReplica(s: Parsed<typeof crossRegionReplicaKeys>): CrossRegionReplica | undefined {
  if (!s.postgresCrossRegionReplicaRegion) return undefined;
  return {
    region: s.postgresCrossRegionReplicaRegion,
    vpcId: s.postgresCrossRegionReplicaVpcId,
    subnets: s.postgresCrossRegionReplicaSubnets,
    allowedCidrs: s.postgresCrossRegionReplicaAllowedCidrs,
    allowedSecurityGroupIds: s.postgresCrossRegionReplicaAllowedSecurityGroupIds,
  };
}
