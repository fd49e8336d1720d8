// Cross-key rules for the #19 options (stack/config/aws-keys-options.ts), in the same "Invalid value for K: V. Allowed
// values are: …" / "Missing required config key …" form as stack/config/aws-validate.ts.
import type { RawSettings } from "./keys";

type Fq = (key: string) => string;

const REPLICA_KEYS = [
  "postgresCrossRegionReplicaVpcId",
  "postgresCrossRegionReplicaSubnets",
  "postgresCrossRegionReplicaAllowedCidrs",
  "postgresCrossRegionReplicaAllowedSecurityGroupIds",
] as const;

export function awsOptionRules(s: RawSettings, fq: Fq, raw: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const invalid = (key: string, value: unknown, allowed: string) =>
    problems.push(`Invalid value for ${fq(key)}: ${JSON.stringify(value)}. Allowed values are: ${allowed}.`);
  const replicaRegion = s.postgresCrossRegionReplicaRegion ?? "";
  const replicas = s.postgresReplicaCount ?? 0;

  // "Password management with Amazon RDS and AWS Secrets Manager", Limitations: not supported for blue/green
  // deployments, nor for creating a read replica of a source whose credentials Secrets Manager manages.
  if (s.postgresMasterPasswordMode === "managed") {
    if (s.postgresBlueGreenUpdate)
      invalid(
        "postgresMasterPasswordMode",
        "managed",
        "generated while postgresBlueGreenUpdate is true (RDS blue/green deployments do not support RDS-managed master passwords)",
      );
    if (replicas > 0 || replicaRegion)
      invalid(
        "postgresMasterPasswordMode",
        "managed",
        `generated while the primary has read replicas (postgresReplicaCount ${replicas}` +
          `${replicaRegion ? `, postgresCrossRegionReplicaRegion ${replicaRegion}` : ""}): RDS cannot create a read ` +
          "replica of a source whose master password Secrets Manager manages",
      );
  }

  if (!replicaRegion) {
    for (const key of REPLICA_KEYS) {
      const value = s[key];
      if (Array.isArray(value) ? value.length : value)
        invalid(
          key,
          value,
          "empty unless postgresCrossRegionReplicaRegion is set (it configures that replica)",
        );
    }
    return problems;
  }
  problems.push(...replicaRules(s, fq, raw, invalid));
  return problems;
}

function replicaRules(
  s: RawSettings,
  fq: Fq,
  raw: Readonly<Record<string, string>>,
  invalid: (key: string, value: unknown, allowed: string) => void,
): string[] {
  const problems: string[] = [];
  const region = s.postgresCrossRegionReplicaRegion!;
  if (region === raw["aws:region"])
    invalid(
      "postgresCrossRegionReplicaRegion",
      region,
      `a region other than aws:region (${region}); same-region replicas are postgresReplicaCount`,
    );
  if (!s.postgresCrossRegionReplicaVpcId)
    problems.push(
      `Missing required config key ${fq("postgresCrossRegionReplicaVpcId")}: the cross-region replica's security ` +
        `group is created in a VPC of ${region}. Set it with \`pulumi config set postgresCrossRegionReplicaVpcId vpc-…\`.`,
    );
  const subnets = s.postgresCrossRegionReplicaSubnets ?? [];
  const zones = new Set(subnets.map((entry) => entry.split("=")[1]));
  if (zones.size < 2 || [...zones].some((zone) => !zone.startsWith(region)))
    invalid(
      "postgresCrossRegionReplicaSubnets",
      subnets,
      `subnets of ${region} in at least 2 different availability zones (a DB subnet group needs two), ` +
        `as "subnet-…=${region}a"`,
    );
  if (new Set(subnets.map((e) => e.split("=")[0])).size !== subnets.length)
    invalid("postgresCrossRegionReplicaSubnets", subnets, "distinct subnet ids");
  if (s.postgresBlueGreenUpdate)
    invalid(
      "postgresBlueGreenUpdate",
      true,
      `false while postgresCrossRegionReplicaRegion is ${region} (after a switchover the replica would follow the old "-old1" primary)`,
    );
  if (s.postgresBackupRetentionDays === 0)
    invalid(
      "postgresBackupRetentionDays",
      0,
      "1 to 35 while postgresCrossRegionReplicaRegion is set (a read replica needs automated backups on the source)",
    );
  return problems;
}
