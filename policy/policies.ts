// The pack's rules, each a small factory (pulumi-policy-aws style). They match on type tokens rather than SDK
// classes, so the pack loads without @pulumi/aws or @pulumi/docker. Policies cannot see whether a value is secret
// (pulumi-policy#241): secrecy is proven by the program's own pulumi.isSecret tests instead.
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { awsOperationPolicies } from "./aws-operations";

type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const RDS_INSTANCE = "aws:rds/instance:Instance";
const RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const CONTAINER = "docker:index/container:Container";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const DB_PORTS = [5432, 6379];

/** AWS types that take no tags (checked against the provider schema). */
const UNTAGGABLE =
  /^aws:(iam\/rolePolicyAttachment|iam\/rolePolicy|kms\/alias|secretsmanager\/secretVersion|backup\/vaultLockConfiguration|backup\/selection|rds\/instanceAutomatedBackupsReplication|sns\/topicSubscription|rds\/proxyDefaultTargetGroup|rds\/proxyTarget|vpc\/securityGroup(Ingress|Egress)Rule|ec2\/securityGroupRule):/;

function onType(
  type: string,
  check: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void,
) {
  return (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type === type) check(args.props, args, report);
  };
}

const isPrimary = (p: Props) => !p.replicateSourceDb;
const label = (args: { type: string; name: string }) => `${args.type.split(":")[1]} ${args.name}`;

function resourcePolicy(
  name: string,
  description: string,
  validateResource: ResourceValidationPolicy["validateResource"],
  configSchema?: ResourceValidationPolicy["configSchema"],
): ResourceValidationPolicy {
  return { name, description, enforcementLevel: "mandatory", validateResource, configSchema };
}

// --- RDS ---------------------------------------------------------------------------------------------------
export const rdsStorageEncrypted = () =>
  resourcePolicy(
    "rds-storage-encrypted",
    "RDS primaries encrypt storage (replicas inherit it from their source).",
    onType(RDS_INSTANCE, (p, a, report) => {
      // Same-region replicas inherit encryption and must not set it: rds-replica-matches-source checks them.
      if (!isPrimary(p)) return;
      if (p.storageEncrypted !== true)
        report(
          `RDS instance ${a.name} must have storage encryption enabled: set storageEncrypted: true (and kmsKeyId).`,
        );
    }),
  );

export const rdsNotPublic = () =>
  resourcePolicy(
    "rds-not-public",
    "RDS instances are not reachable from the internet.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (p.publiclyAccessible === true)
        report(`RDS instance ${a.name} must not be publicly accessible: set publiclyAccessible: false.`);
    }),
  );

export const rdsBackupRetention = () =>
  resourcePolicy(
    "rds-backup-retention",
    "RDS primaries keep automated backups (point-in-time recovery) for at least minimumDays.",
    (args, report) => {
      if (args.type !== RDS_INSTANCE || !isPrimary(args.props)) return;
      const { minimumDays } = args.getConfig<{ minimumDays: number }>();
      const days = args.props.backupRetentionPeriod ?? 0;
      if (days < minimumDays) {
        report(
          `RDS instance ${args.name} keeps backups for ${days} day(s); set backupRetentionPeriod to at least ${minimumDays}.`,
        );
      }
    },
    { properties: { minimumDays: { type: "integer", default: 7, minimum: 0, maximum: 35 } } },
  );

export const rdsDeletionProtection = () =>
  resourcePolicy(
    "rds-deletion-protection",
    "RDS primaries have deletion protection on.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (isPrimary(p) && p.deletionProtection !== true)
        report(`RDS instance ${a.name} must have deletion protection: set deletionProtection: true.`);
    }),
  );

export const rdsMultiAz = () =>
  resourcePolicy(
    "rds-multi-az",
    "RDS primaries run Multi-AZ.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (isPrimary(p) && p.multiAz !== true)
        report(`RDS instance ${a.name} must run Multi-AZ: set multiAz: true.`);
    }),
  );

export const rdsFinalSnapshot = () =>
  resourcePolicy(
    "rds-final-snapshot",
    "Deleting an RDS primary leaves a final snapshot.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (isPrimary(p) && (p.skipFinalSnapshot === true || !p.finalSnapshotIdentifier)) {
        report(
          `RDS instance ${a.name} must take a final snapshot: set skipFinalSnapshot: false and a unique finalSnapshotIdentifier.`,
        );
      }
    }),
  );

export const rdsPerformanceInsightsEncrypted = () =>
  resourcePolicy(
    "rds-performance-insights-encrypted",
    "Performance Insights data is encrypted with a customer key.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (p.performanceInsightsEnabled === true && !p.performanceInsightsKmsKeyId) {
        report(`RDS instance ${a.name} must encrypt Performance Insights: set performanceInsightsKmsKeyId.`);
      }
    }),
  );

export const rdsCustomParameterGroup = () =>
  resourcePolicy(
    "rds-custom-parameter-group",
    "RDS instances use the stack's parameter group, not a default one.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (!p.parameterGroupName || String(p.parameterGroupName).startsWith("default.")) {
        report(
          `RDS instance ${a.name} must use a custom parameter group that forces SSL: set parameterGroupName.`,
        );
      }
    }),
  );

export const rdsParameterGroupForcesSsl = () =>
  resourcePolicy(
    "rds-parameter-group-forces-ssl",
    "PostgreSQL parameter groups set rds.force_ssl=1.",
    onType(RDS_PARAMETER_GROUP, (p, a, report) => {
      if (!String(p.family ?? "").startsWith("postgres")) return;
      const forceSsl = (p.parameters ?? []).find((x: Props) => x.name === "rds.force_ssl");
      if (forceSsl?.value !== "1")
        report(`RDS parameter group ${a.name} must force TLS: add parameter rds.force_ssl = 1.`);
    }),
  );

export const rdsEngineMajorPinned = () =>
  resourcePolicy(
    "rds-engine-major-pinned",
    "RDS primaries pin only the engine major version, with automatic minor upgrades.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (!isPrimary(p)) return;
      if (!/^\d+$/.test(String(p.engineVersion ?? ""))) {
        report(
          `RDS instance ${a.name} must pin the engine major version only (engineVersion: "17", not "${p.engineVersion ?? ""}"): a minor pin shows a downgrade diff after AWS upgrades.`,
        );
      }
      if (p.autoMinorVersionUpgrade === false)
        report(
          `RDS instance ${a.name} must allow automatic minor upgrades: set autoMinorVersionUpgrade: true.`,
        );
    }),
  );

export const rdsReplicaMatchesSource = (): StackValidationPolicy => ({
  name: "rds-replica-matches-source",
  description: "Read replicas are encrypted and run the same engine as their source.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === RDS_INSTANCE);
    for (const replica of instances.filter((r) => r.props.replicateSourceDb)) {
      const source = instances.find((r) => r.props.identifier === replica.props.replicateSourceDb);
      // A same-region replica inherits encryption from its source and must not set a key (CreateDBInstanceReadReplica).
      const encrypted = replica.props.storageEncrypted ?? source?.props.storageEncrypted;
      if (encrypted !== true)
        report(
          `RDS replica ${replica.name} must be encrypted: encrypt its source (same-region replicas inherit encryption) or set storageEncrypted: true.`,
          replica.urn,
        );
      if (source && replica.props.engine !== source.props.engine) {
        report(
          `RDS replica ${replica.name} runs ${replica.props.engine} but its source ${source.name} runs ${source.props.engine}: use the same engine.`,
          replica.urn,
        );
      }
    }
  },
});

// --- ElastiCache -------------------------------------------------------------------------------------------
export const elasticacheEncryption = () =>
  resourcePolicy(
    "elasticache-encryption",
    "Redis encrypts in transit (TLS) and at rest.",
    onType(REPLICATION_GROUP, (p, a, report) => {
      if (p.transitEncryptionEnabled !== true)
        report(
          `ElastiCache replication group ${a.name} must require TLS: set transitEncryptionEnabled: true.`,
        );
      if (p.atRestEncryptionEnabled !== true && p.atRestEncryptionEnabled !== "true") {
        report(
          `ElastiCache replication group ${a.name} must encrypt at rest: set atRestEncryptionEnabled: true (and kmsKeyId).`,
        );
      }
    }),
  );

export const elasticacheAccessControl = () =>
  resourcePolicy(
    "elasticache-access-control",
    "Redis access is controlled by an RBAC user group (or at least an auth token).",
    onType(REPLICATION_GROUP, (p, a, report) => {
      if (!(p.userGroupIds ?? []).length && !p.authToken) {
        report(
          `ElastiCache replication group ${a.name} lets anyone connect: attach an RBAC user group (userGroupIds) with the default user disabled.`,
        );
      }
    }),
  );

export const elasticacheFailover = () =>
  resourcePolicy(
    "elasticache-failover",
    "Redis with replicas fails over automatically across AZs.",
    onType(REPLICATION_GROUP, (p, a, report) => {
      const replicas = (p.numCacheClusters ?? 1) > 1 || (p.replicasPerNodeGroup ?? 0) >= 1;
      if (replicas && (p.automaticFailoverEnabled !== true || p.multiAzEnabled !== true)) {
        report(
          `ElastiCache replication group ${a.name} has replicas: set automaticFailoverEnabled: true and multiAzEnabled: true.`,
        );
      }
    }),
  );

export const elasticacheSnapshots = () =>
  resourcePolicy(
    "elasticache-snapshot-retention",
    "Redis keeps daily snapshots.",
    onType(REPLICATION_GROUP, (p, a, report) => {
      if (!(p.snapshotRetentionLimit >= 1))
        report(
          `ElastiCache replication group ${a.name} must keep snapshots: set snapshotRetentionLimit to at least 1.`,
        );
    }),
  );

// --- Network -----------------------------------------------------------------------------------------------
export const noPublicDatabasePorts = () =>
  resourcePolicy(
    "security-group-no-public-db-ports",
    "No security group opens PostgreSQL or Redis to 0.0.0.0/0 or ::/0.",
    (args, report) => {
      const rules: Props[] =
        args.type === SECURITY_GROUP
          ? (args.props.ingress ?? [])
          : /^aws:(vpc\/securityGroupIngressRule|ec2\/securityGroupRule):/.test(args.type) &&
              args.props.type !== "egress"
            ? [
                {
                  ...args.props,
                  cidrBlocks: [args.props.cidrIpv4, ...(args.props.cidrBlocks ?? [])],
                  ipv6CidrBlocks: [args.props.cidrIpv6, ...(args.props.ipv6CidrBlocks ?? [])],
                },
              ]
            : [];
      for (const rule of rules) {
        const all = rule.protocol === "-1" || rule.ipProtocol === "-1";
        const ports = DB_PORTS.filter((port) => all || (rule.fromPort <= port && port <= rule.toPort));
        const world = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter(
          (c) => c === "0.0.0.0/0" || c === "::/0",
        );
        if (ports.length && world.length) {
          report(
            `${label(args)} opens port ${ports.join(", ")} to ${world.join(", ")}: allow only the app's security group or private CIDRs.`,
          );
        }
      }
    },
  );

// --- Docker ------------------------------------------------------------------------------------------------
export const dockerPortsLoopback = () =>
  resourcePolicy(
    "docker-ports-loopback",
    "Dev containers publish ports on 127.0.0.1 only.",
    onType(CONTAINER, (p, a, report) => {
      for (const port of p.ports ?? []) {
        if (port.external !== undefined && !["127.0.0.1", "::1"].includes(port.ip)) {
          report(
            `Container ${a.name} publishes port ${port.external} on ${port.ip ?? "0.0.0.0"}: bind it to 127.0.0.1 (ports[].ip).`,
          );
        }
      }
    }),
  );

export const dockerImagePinned = () =>
  resourcePolicy(
    "docker-image-pinned",
    "Images are pinned to an exact version (or digest), never latest.",
    (args, report) => {
      const image =
        args.type === REMOTE_IMAGE
          ? args.props.name
          : args.type === CONTAINER && !/^sha256:/.test(String(args.props.image ?? ""))
            ? args.props.image
            : undefined;
      if (image === undefined) return;
      const exact =
        /@sha256:[0-9a-f]{64}$/.test(image) || /:\d+\.\d+(\.\d+)?([-.][A-Za-z0-9.]+)?$/.test(image);
      if (!exact)
        report(
          `${label(args)} uses image "${image}": pin an exact version such as postgres:17.6-bookworm or a digest.`,
        );
    },
  );

export const dockerHealthcheck = () =>
  resourcePolicy(
    "docker-healthcheck",
    "Every container has a healthcheck.",
    onType(CONTAINER, (p, a, report) => {
      if (!(p.healthcheck?.tests ?? []).length)
        report(
          `Container ${a.name} has no healthcheck: add healthcheck.tests (e.g. pg_isready, an authenticated redis-cli ping).`,
        );
    }),
  );

export const dockerSecretsAsFiles = () =>
  resourcePolicy(
    "docker-secrets-as-files",
    "Environment variables named like a password, secret or token are only the *_FILE form.",
    onType(CONTAINER, (p, a, report) => {
      for (const env of p.envs ?? []) {
        const key = String(env).split("=")[0];
        if (/PASSWORD|SECRET|TOKEN/i.test(key) && !/_FILE$/i.test(key)) {
          report(
            `Container ${a.name} passes ${key} as a plain environment variable: upload the value as a file and set ${key}_FILE instead.`,
          );
        }
      }
    }),
  );

// --- Tags and stack rules ----------------------------------------------------------------------------------
export const awsRequiredTags = () =>
  resourcePolicy(
    "aws-required-tags",
    "AWS resources carry the project, environment and owner tags.",
    (args, report) => {
      if (!args.type.startsWith("aws:") || UNTAGGABLE.test(args.type) || args.type.startsWith("pulumi:"))
        return;
      const { required } = args.getConfig<{ required: string[] }>();
      const missing = required.filter((tag) => !args.props.tags?.[tag]);
      if (missing.length)
        report(`${label(args)} is missing tag(s) ${missing.join(", ")}: pass the stack's tags.`);
    },
    {
      properties: {
        required: { type: "array", items: { type: "string" }, default: ["Project", "Environment", "Owner"] },
      },
    },
  );

export const backupCrossRegion = (): StackValidationPolicy => ({
  name: "backup-cross-region-copy",
  description:
    "A stack with RDS has an AWS Backup plan that copies recovery points to a vault in another region.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    if (!args.resources.some((r) => r.type === RDS_INSTANCE)) return;
    const plans = args.resources.filter((r) => r.type === "aws:backup/plan:Plan");
    const copying = plans.some((plan) =>
      (plan.props.rules ?? []).some((rule: Props) => (rule.copyActions ?? []).length > 0),
    );
    // @pulumi/aws 7: a resource's own `region` argument overrides its provider's.
    const regionOf = (r: PolicyResource) =>
      (r.props.region ?? r.provider?.props?.region) as string | undefined;
    const vaults = args.resources.filter((r) => r.type === "aws:backup/vault:Vault");
    const regions = new Set(vaults.map(regionOf));
    if (!plans.length)
      report(
        "The stack has RDS but no AWS Backup plan: add a daily plan with a copy action to another region.",
      );
    else if (!copying || regions.size < 2)
      report(
        "The AWS Backup plan must copy recovery points to a vault in a second region (copyActions → vault with a provider for that region).",
      );
  },
});

export const policies = [
  rdsStorageEncrypted(),
  rdsNotPublic(),
  rdsBackupRetention(),
  rdsDeletionProtection(),
  rdsMultiAz(),
  rdsFinalSnapshot(),
  rdsPerformanceInsightsEncrypted(),
  rdsCustomParameterGroup(),
  rdsParameterGroupForcesSsl(),
  rdsEngineMajorPinned(),
  rdsReplicaMatchesSource(),
  elasticacheEncryption(),
  elasticacheAccessControl(),
  elasticacheFailover(),
  elasticacheSnapshots(),
  noPublicDatabasePorts(),
  dockerPortsLoopback(),
  dockerImagePinned(),
  dockerHealthcheck(),
  dockerSecretsAsFiles(),
  awsRequiredTags(),
  backupCrossRegion(),
  ...awsOperationPolicies,
];
