// AWS keys for the options #19 added beside the anchors' (terraform-aws-rds): who owns the master password, and a
// read replica in a second region. Cross-key rules live in stack/config/aws-validate-options.ts.
import { arrayOf, matching, oneOf } from "./key-spec";
import { aws, awsRegion, cidr, optional, securityGroupId, subnetWithZone } from "./aws-parsers";

export const awsOptionKeys = {
  postgresMasterPasswordMode: aws<"generated" | "managed">({
    type: "string",
    default: "generated",
    parse: oneOf(["generated", "managed"]),
    description:
      "generated: the stack generates the RDS master password (write-only, rotated by postgresAdminPasswordEpoch). " +
      "managed: RDS keeps it in its own Secrets Manager secret and rotates it; refused with postgresBlueGreenUpdate and with read replicas (AWS limitations).",
  }),
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
    default: [] as string[],
    parse: arrayOf(subnetWithZone, 0, 16, 'entries "subnet-…=<availability zone>"'),
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
