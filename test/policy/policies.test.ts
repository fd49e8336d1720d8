import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkStack, stackResources } from "../../cli/policy-check";
import { evaluatePolicies, OfflineResource, PolicyConfigFile } from "../../policy/offline";
import { policies } from "../../policy/policies";
import { ROOT } from "../../harness/stack";

const configOf = (env: string): PolicyConfigFile =>
  JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "config", `${env}.json`), "utf8"));
const run = (resources: OfflineResource[], config: PolicyConfigFile = { all: "mandatory" }) =>
  evaluatePolicies(policies, resources, {
    stack: "test",
    project: "offthegrid-database",
    config,
    defaultProviderProps: { region: "eu-west-1" },
  });
const tags = { Project: "offthegrid-database", Environment: "prod", Owner: "platform" };

const primary = {
  engine: "postgres",
  engineVersion: "17",
  identifier: "db",
  storageEncrypted: true,
  kmsKeyId: "arn:key",
  publiclyAccessible: false,
  backupRetentionPeriod: 14,
  deletionProtection: true,
  multiAz: true,
  skipFinalSnapshot: false,
  finalSnapshotIdentifier: "db-final-1a2b",
  performanceInsightsEnabled: true,
  performanceInsightsKmsKeyId: "arn:key",
  parameterGroupName: "pg-123",
  autoMinorVersionUpgrade: true,
  tags,
};
const replica = {
  ...primary,
  identifier: "db-replica-1",
  replicateSourceDb: "db",
  engineVersion: undefined,
  skipFinalSnapshot: true,
  multiAz: false,
};
const cache = {
  transitEncryptionEnabled: true,
  atRestEncryptionEnabled: true,
  userGroupIds: ["users"],
  numCacheClusters: 3,
  automaticFailoverEnabled: true,
  multiAzEnabled: true,
  snapshotRetentionLimit: 7,
  tags,
};
const container = {
  image: "sha256:0123",
  ports: [{ internal: 5432, external: 5432, ip: "127.0.0.1" }],
  healthcheck: { tests: ["CMD", "pg_isready"] },
  envs: ["POSTGRES_PASSWORD_FILE=/run/secrets/pw", "POSTGRES_DB=app"],
};
const R = (
  type: string,
  name: string,
  props: Record<string, unknown>,
  extra: Partial<OfflineResource> = {},
): OfflineResource => ({ type, name, props, ...extra });
const backupResources = [
  R("aws:backup/plan:Plan", "plan", {
    rules: [{ copyActions: [{ destinationVaultArn: "arn:copy" }] }],
    tags,
  }),
  R("aws:backup/vault:Vault", "vault", { tags }),
  R(
    "aws:backup/vault:Vault",
    "copy",
    { tags },
    { providerProps: { region: "eu-central-1" }, providerName: "copy" },
  ),
];

const alarm = (name: string, metricName: string, dimensions: Record<string, string>, threshold = 1) =>
  R("aws:cloudwatch/metricAlarm:MetricAlarm", name, { metricName, dimensions, threshold, tags });
const storageAlarm = (threshold: number) => [
  R("aws:rds/instance:Instance", "db", { ...primary, allocatedStorage: 200, maxAllocatedStorage: 2000 }),
  alarm("free", "FreeStorageSpace", { DBInstanceIdentifier: "db" }, threshold),
];
const lowStorageEvents = R("aws:rds/eventSubscription:EventSubscription", "events", {
  eventCategories: ["low storage", "notification"],
  tags,
});
const postgresAlarms = [
  "MaximumUsedTransactionIDs",
  "TransactionLogsDiskUsage",
  "DiskQueueDepth",
  "ReadLatency",
  "WriteLatency",
].map((m) => alarm(m, m, { DBInstanceIdentifier: "db" }));

const managedPrimary = { ...primary, manageMasterUserPassword: true, masterUserSecretKmsKeyId: "arn:key" };
const crossRegionReplica = {
  ...replica,
  identifier: "db-dr",
  replicateSourceDb: "arn:aws:rds:eu-west-1:123456789012:db:db",
  storageEncrypted: true,
  kmsKeyId: "arn:aws:kms:eu-central-1:123456789012:key/dr",
  maintenanceWindow: "sun:04:00-sun:05:00",
  region: "eu-central-1",
};
const replicaLag = (region: string | undefined) =>
  R("aws:cloudwatch/metricAlarm:MetricAlarm", "dr-lag", {
    metricName: "ReplicaLag",
    dimensions: { DBInstanceIdentifier: "db-dr" },
    threshold: 300,
    ...(region ? { region } : {}),
    tags,
  });
const userGroup = (engine: string) =>
  R("aws:elasticache/userGroup:UserGroup", "users", { userGroupId: "users", engine, tags });

// [policy, a valid resource set, the same with one field changed, message]
const cases: [string, OfflineResource[], OfflineResource[], RegExp][] = [
  [
    "rds-storage-encrypted",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, storageEncrypted: false })],
    /RDS instance db must have storage encryption enabled/,
  ],
  [
    "rds-not-public",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, publiclyAccessible: true })],
    /RDS instance db must not be publicly accessible/,
  ],
  [
    "rds-backup-retention",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, backupRetentionPeriod: 0 })],
    /keeps backups for 0 day\(s\); set backupRetentionPeriod to at least 7/,
  ],
  [
    "rds-deletion-protection",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, deletionProtection: false })],
    /must have deletion protection/,
  ],
  [
    "rds-multi-az",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, multiAz: false })],
    /must run Multi-AZ/,
  ],
  [
    "rds-final-snapshot",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, skipFinalSnapshot: true })],
    /must take a final snapshot/,
  ],
  [
    "rds-performance-insights-encrypted",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, performanceInsightsKmsKeyId: undefined })],
    /must encrypt Performance Insights/,
  ],
  [
    "rds-custom-parameter-group",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, parameterGroupName: "default.postgres17" })],
    /must use a custom parameter group/,
  ],
  [
    "rds-parameter-group-forces-ssl",
    [
      R("aws:rds/parameterGroup:ParameterGroup", "pg", {
        family: "postgres17",
        parameters: [{ name: "rds.force_ssl", value: "1" }],
        tags,
      }),
    ],
    [
      R("aws:rds/parameterGroup:ParameterGroup", "pg", {
        family: "postgres17",
        parameters: [{ name: "rds.force_ssl", value: "0" }],
        tags,
      }),
    ],
    /RDS parameter group pg must force TLS: add parameter rds.force_ssl = 1/,
  ],
  [
    "rds-engine-major-pinned",
    [R("aws:rds/instance:Instance", "db", primary)],
    [R("aws:rds/instance:Instance", "db", { ...primary, engineVersion: "17.2" })],
    /pin the engine major version only \(engineVersion: "17", not "17\.2"\)/,
  ],
  [
    "rds-replica-matches-source",
    [R("aws:rds/instance:Instance", "db", primary), R("aws:rds/instance:Instance", "replica", replica)],
    [
      R("aws:rds/instance:Instance", "db", primary),
      R("aws:rds/instance:Instance", "replica", { ...replica, engine: "mysql" }),
    ],
    /RDS replica replica runs mysql but its source db runs postgres/,
  ],
  [
    "elasticache-encryption",
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache)],
    [
      R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", {
        ...cache,
        atRestEncryptionEnabled: false,
      }),
    ],
    /must encrypt at rest/,
  ],
  [
    "elasticache-access-control",
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache)],
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", { ...cache, userGroupIds: [] })],
    /lets anyone connect: attach an RBAC user group/,
  ],
  [
    "elasticache-failover",
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache)],
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", { ...cache, multiAzEnabled: false })],
    /has replicas: set automaticFailoverEnabled: true and multiAzEnabled: true/,
  ],
  [
    "elasticache-snapshot-retention",
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache)],
    [
      R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", {
        ...cache,
        snapshotRetentionLimit: 0,
      }),
    ],
    /must keep snapshots/,
  ],
  [
    "security-group-no-public-db-ports",
    [
      R("aws:ec2/securityGroup:SecurityGroup", "sg", {
        ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"] }],
        tags,
      }),
    ],
    [
      R("aws:ec2/securityGroup:SecurityGroup", "sg", {
        ingress: [{ protocol: "tcp", fromPort: 5000, toPort: 6500, cidrBlocks: ["0.0.0.0/0"] }],
        tags,
      }),
    ],
    /securityGroup sg opens port 5432, 6379 to 0\.0\.0\.0\/0/,
  ],
  [
    "docker-ports-loopback",
    [R("docker:index/container:Container", "pg", container)],
    [
      R("docker:index/container:Container", "pg", {
        ...container,
        ports: [{ internal: 5432, external: 5432, ip: "0.0.0.0" }],
      }),
    ],
    /publishes port 5432 on 0\.0\.0\.0: bind it to 127\.0\.0\.1/,
  ],
  [
    "docker-image-pinned",
    [R("docker:index/remoteImage:RemoteImage", "img", { name: "postgres:17.6-bookworm" })],
    [R("docker:index/remoteImage:RemoteImage", "img", { name: "postgres:latest" })],
    /uses image "postgres:latest": pin an exact version/,
  ],
  [
    "docker-healthcheck",
    [R("docker:index/container:Container", "pg", container)],
    [R("docker:index/container:Container", "pg", { ...container, healthcheck: undefined })],
    /Container pg has no healthcheck/,
  ],
  [
    "docker-secrets-as-files",
    [R("docker:index/container:Container", "pg", container)],
    [R("docker:index/container:Container", "pg", { ...container, envs: ["POSTGRES_PASSWORD=hunter2"] })],
    /passes POSTGRES_PASSWORD as a plain environment variable/,
  ],
  [
    "aws-required-tags",
    [R("aws:sns/topic:Topic", "topic", { tags })],
    [R("aws:sns/topic:Topic", "topic", { tags: { Project: "x" } })],
    /topic topic is missing tag\(s\) Environment, Owner/,
  ],
  [
    "backup-cross-region-copy",
    [R("aws:rds/instance:Instance", "db", primary), ...backupResources],
    [R("aws:rds/instance:Instance", "db", primary), ...backupResources.slice(0, 2)],
    /must copy recovery points to a vault in a second region/,
  ],
  [
    "rds-proxy-egress",
    [
      R("aws:rds/proxy:Proxy", "proxy", { vpcSecurityGroupIds: ["sg-proxy"], tags }),
      R("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "egress", {
        securityGroupId: "sg-proxy",
        referencedSecurityGroupId: "sg-db",
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        tags,
      }),
    ],
    [
      R("aws:rds/proxy:Proxy", "proxy", { vpcSecurityGroupIds: ["sg-proxy"], tags }),
      R("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "egress", {
        securityGroupId: "sg-other",
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        tags,
      }),
    ],
    /RDS Proxy proxy cannot reach its database: add an egress rule to port 5432/,
  ],
  [
    "backup-window-clear-of-maintenance",
    [
      R("aws:rds/instance:Instance", "db", {
        ...primary,
        backupWindow: "02:00-02:30",
        maintenanceWindow: "sun:03:00-sun:04:00",
      }),
      R("aws:backup/plan:Plan", "plan", {
        rules: [{ ruleName: "daily", schedule: "cron(0 5 * * ? *)", startWindow: 60 }],
        tags,
      }),
    ],
    [
      R("aws:rds/instance:Instance", "db", {
        ...primary,
        backupWindow: "02:00-02:30",
        maintenanceWindow: "sun:03:00-sun:04:00",
      }),
      R("aws:backup/plan:Plan", "plan", {
        rules: [{ ruleName: "daily", schedule: "cron(0 3 * * ? *)", startWindow: 60 }],
        tags,
      }),
    ],
    /rule daily starts at 03:00 \(\+60 min\), inside RDS instance db's maintenance window/,
  ],
  [
    "rds-replica-storage-autoscaling",
    [
      R("aws:rds/instance:Instance", "db", { ...primary, maxAllocatedStorage: 1000 }),
      R("aws:rds/instance:Instance", "replica", { ...replica, maxAllocatedStorage: 1000 }),
    ],
    [
      R("aws:rds/instance:Instance", "db", { ...primary, maxAllocatedStorage: 1000 }),
      R("aws:rds/instance:Instance", "replica", replica),
    ],
    /RDS replica replica autoscales to no GiB but its source db to 1000 GiB/,
  ],
  [
    "backup-vault-lock-governance",
    [R("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "lock", { minRetentionDays: 7 })],
    [
      R("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "lock", {
        minRetentionDays: 7,
        changeableForDays: 3,
      }),
    ],
    /sets changeableForDays, which makes the lock irreversible compliance mode/,
  ],
  [
    "cloudwatch-alarm-missing-data-not-breaching",
    [R("aws:cloudwatch/metricAlarm:MetricAlarm", "lag", { treatMissingData: "notBreaching", tags })],
    [R("aws:cloudwatch/metricAlarm:MetricAlarm", "lag", { treatMissingData: "breaching", tags })],
    /metricAlarm lag treats missing data as breaching/,
  ],
  // #19: seeded violations for the third AWS review's rules.
  [
    "rds-blue-green-compatible",
    [R("aws:rds/instance:Instance", "db", { ...primary, blueGreenUpdate: { enabled: true } })],
    [
      R("aws:rds/instance:Instance", "db", { ...primary, blueGreenUpdate: { enabled: true } }),
      R("aws:rds/instance:Instance", "db-replica-1", {
        ...replica,
        maintenanceWindow: "sun:04:00-sun:05:00",
      }),
    ],
    /updates through blue\/green but has read replicas \(db-replica-1\)/,
  ],
  [
    "cloudwatch-rds-storage-alarm",
    [...storageAlarm(10 * 1024 ** 3), lowStorageEvents],
    [...storageAlarm(20 * 1024 ** 3), lowStorageEvents],
    /pages at 20.0 GiB free, at or above the 10 % of 200 GiB where storage autoscaling of db starts/,
  ],
  [
    "cloudwatch-rds-postgres-alarms",
    [R("aws:rds/instance:Instance", "db", primary), ...postgresAlarms],
    [
      R("aws:rds/instance:Instance", "db", primary),
      ...postgresAlarms.filter((a) => a.props.metricName !== "MaximumUsedTransactionIDs"),
    ],
    /RDS instance db has no alarm on MaximumUsedTransactionIDs/,
  ],
  [
    "rds-replica-maintenance-window",
    [
      R("aws:rds/instance:Instance", "db-replica-1", {
        ...replica,
        maintenanceWindow: "sun:04:00-sun:05:00",
      }),
    ],
    [R("aws:rds/instance:Instance", "db-replica-1", replica)],
    /RDS replica db-replica-1 has no maintenanceWindow/,
  ],
  // #19 options: an RDS-managed master password, a cross-region replica, the cache engine.
  [
    "rds-managed-password-no-replicas",
    [R("aws:rds/instance:Instance", "db", managedPrimary)],
    [
      R("aws:rds/instance:Instance", "db", managedPrimary),
      R("aws:rds/instance:Instance", "db-replica-1", replica),
    ],
    /RDS instance db has an RDS-managed master password and read replicas \(db-replica-1\): RDS cannot create a replica/,
  ],
  [
    "rds-managed-password-cmk",
    [R("aws:rds/instance:Instance", "db", managedPrimary)],
    [R("aws:rds/instance:Instance", "db", { ...managedPrimary, masterUserSecretKmsKeyId: undefined })],
    /keeps its master password in a secret under the default aws\/secretsmanager key: set masterUserSecretKmsKeyId/,
  ],
  [
    "rds-cross-region-replica-encrypted",
    [R("aws:rds/instance:Instance", "db-dr", crossRegionReplica)],
    [R("aws:rds/instance:Instance", "db-dr", { ...crossRegionReplica, kmsKeyId: undefined })],
    /RDS replica db-dr replicates arn:aws:rds:eu-west-1:123456789012:db:db across regions: set storageEncrypted: true and kmsKeyId/,
  ],
  [
    "elasticache-user-group-engine",
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache), userGroup("redis")],
    [R("aws:elasticache/replicationGroup:ReplicationGroup", "redis", cache), userGroup("valkey")],
    /replication group redis runs Redis OSS but its user group users has engine valkey/,
  ],
  [
    "cloudwatch-rds-replica-lag-alarm",
    [R("aws:rds/instance:Instance", "db-dr", crossRegionReplica), replicaLag("eu-central-1")],
    [R("aws:rds/instance:Instance", "db-dr", crossRegionReplica), replicaLag(undefined)],
    /RDS replica db-dr runs in eu-central-1 but its ReplicaLag alarm is in eu-west-1: create the alarm/,
  ],
];

describe("policy pack (offline CrossGuard evaluation)", function () {
  it(`has a case for each of its ${policies.length} policies, all with kebab-case names`, () => {
    assert.deepEqual(cases.map(([name]) => name).sort(), policies.map((p) => p.name).sort());
    for (const p of policies) assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  for (const [name, valid, invalid, message] of cases) {
    it(`${name}: passes a valid resource, catches one changed field`, async () => {
      assert.deepEqual(
        (await run(valid)).filter((v) => v.policy === name),
        [],
      );
      const caught = (await run(invalid)).filter((v) => v.policy === name);
      assert.equal(caught.length, 1, JSON.stringify(caught));
      assert.match(caught[0].message, message);
      assert.equal(caught[0].level, "mandatory");
    });
  }

  it("awaits asynchronous validators (resource and stack) and keeps their violations", async () => {
    const later = () => new Promise((r) => setTimeout(r, 5));
    const asyncPolicies = [
      {
        name: "async-resource",
        description: "",
        enforcementLevel: "mandatory",
        validateResource: async (_args: unknown, report: (m: string) => void) => {
          await later();
          report("late resource violation");
        },
      },
      {
        name: "async-stack",
        description: "",
        enforcementLevel: "mandatory",
        validateStack: async (_args: unknown, report: (m: string) => void) => {
          await later();
          report("late stack violation");
        },
      },
    ] as unknown as typeof policies;
    const violations = await evaluatePolicies(
      asyncPolicies,
      [R("aws:rds/instance:Instance", "db", primary)],
      {
        stack: "test",
        project: "offthegrid-database",
        config: { all: "mandatory" },
      },
    );
    assert.deepEqual(
      violations.map((v) => v.message),
      ["late resource violation", "late stack violation"],
    );
  });

  it("requires the notification category too: RDS-EVENT-0225 (nearing maxAllocatedStorage) is filed there, not under low storage", async () => {
    const onlyLowStorage = R("aws:rds/eventSubscription:EventSubscription", "events", {
      eventCategories: ["low storage"],
      tags,
    });
    const violations = (await run([...storageAlarm(10 * 1024 ** 3), onlyLowStorage])).filter(
      (v) => v.policy === "cloudwatch-rds-storage-alarm",
    );
    assert.equal(violations.length, 1);
    assert.match(violations[0].message, /carries "notification": .*RDS-EVENT-0225/);
  });

  it("rds-blue-green-compatible also refuses blue/green with an RDS-managed master password (#19)", async () => {
    const bg = { blueGreenUpdate: { enabled: true } };
    const caught = async (props: Record<string, unknown>) =>
      (await run([R("aws:rds/instance:Instance", "db", props)])).filter(
        (v) => v.policy === "rds-blue-green-compatible",
      );
    assert.deepEqual(await caught({ ...managedPrimary, ...bg, manageMasterUserPassword: false }), []);
    const violations = await caught({ ...managedPrimary, ...bg });
    assert.equal(violations.length, 1);
    assert.match(violations[0].message, /updates through blue\/green with manageMasterUserPassword/);
  });

  it("takes enforcement levels and properties from the environment's policy config file", async () => {
    const relaxed = R("aws:rds/instance:Instance", "db", {
      ...primary,
      multiAz: false,
      backupRetentionPeriod: 10,
    });
    const rds = (violations: Awaited<ReturnType<typeof run>>) =>
      violations.filter((v) => v.policy.startsWith("rds-"));
    const staging = rds(await run([relaxed], configOf("staging")));
    assert.deepEqual(
      staging.map((v) => [v.policy, v.level]),
      [["rds-multi-az", "advisory"]],
    );
    const prod = rds(await run([relaxed], configOf("prod")));
    assert.deepEqual(prod.map((v) => [v.policy, v.level]).sort(), [
      ["rds-backup-retention", "mandatory"],
      ["rds-multi-az", "mandatory"],
    ]);
    assert.deepEqual(await run([relaxed], { all: "disabled" }), []);
  });

  describe("the shipped stacks", () => {
    const resources: Record<string, OfflineResource[]> = {};
    before(async () => {
      for (const stack of ["dev", "prod"]) resources[stack] = (await stackResources(stack)).resources;
    });

    for (const stack of ["dev", "staging", "prod"]) {
      it(`${stack} passes with zero mandatory violations (the same check as npm run policy:check)`, async () => {
        const violations = await checkStack(stack);
        assert.deepEqual(
          violations.filter((v) => v.level === "mandatory"),
          [],
        );
      });
    }

    // Seeded bad variants of the shipped stacks: one resource changed, caught under that environment's config.
    const seeded: [string, string, string, (p: any) => void, string][] = [
      [
        "prod",
        "public RDS",
        "aws:rds/instance:Instance",
        (p) => (p.publiclyAccessible = true),
        "rds-not-public",
      ],
      [
        "prod",
        "retention 0",
        "aws:rds/instance:Instance",
        (p) => (p.backupRetentionPeriod = 0),
        "rds-backup-retention",
      ],
      [
        "prod",
        "unencrypted Redis",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        (p) => (p.transitEncryptionEnabled = false),
        "elasticache-encryption",
      ],
      [
        "prod",
        "0.0.0.0/0 ingress",
        "aws:ec2/securityGroup:SecurityGroup",
        (p) => p.ingress.push({ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["0.0.0.0/0"] }),
        "security-group-no-public-db-ports",
      ],
      ["prod", "missing tags", "aws:kms/key:Key", (p) => delete p.tags.Owner, "aws-required-tags"],
      [
        "prod",
        "proxy in a group without egress",
        "aws:rds/proxy:Proxy",
        (p) => (p.vpcSecurityGroupIds = ["sg-0000000000000000a"]),
        "rds-proxy-egress",
      ],
      [
        "prod",
        "backup at 03:00 (the old schedule)",
        "aws:backup/plan:Plan",
        (p) => (p.rules[0].schedule = "cron(0 3 * * ? *)"),
        "backup-window-clear-of-maintenance",
      ],
      [
        "prod",
        "replica without autoscaling",
        "aws:rds/instance:Instance#replica",
        (p) => delete p.maxAllocatedStorage,
        "rds-replica-storage-autoscaling",
      ],
      [
        "prod",
        "compliance-mode vault lock",
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        (p) => (p.changeableForDays = 3),
        "backup-vault-lock-governance",
      ],
      [
        "prod",
        "breaching alarm",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        (p) => (p.treatMissingData = "breaching"),
        "cloudwatch-alarm-missing-data-not-breaching",
      ],
      [
        "dev",
        "latest image",
        "docker:index/remoteImage:RemoteImage",
        (p) => (p.name = "redis:latest"),
        "docker-image-pinned",
      ],
      [
        "dev",
        "port on 0.0.0.0",
        "docker:index/container:Container",
        (p) => (p.ports[0].ip = "0.0.0.0"),
        "docker-ports-loopback",
      ],
      [
        "dev",
        "plain password env",
        "docker:index/container:Container",
        (p) => (p.envs ??= []).push("POSTGRES_PASSWORD=changeme-in-production"),
        "docker-secrets-as-files",
      ],
    ];
    for (const [stack, what, type, mutate, policy] of seeded) {
      it(`catches a seeded ${what} in ${stack}`, async () => {
        const copy: OfflineResource[] = JSON.parse(JSON.stringify(resources[stack]));
        const [bare, role] = type.split("#");
        const target = copy.find(
          (r) =>
            r.type === bare &&
            (bare !== "aws:rds/instance:Instance" || !r.props.replicateSourceDb === (role !== "replica")),
        )!;
        mutate(target.props);
        const violations = (await run(copy, configOf(stack))).filter((v) => v.level === "mandatory");
        assert.deepEqual(
          violations.map((v) => [v.policy, v.resource?.name]),
          [[policy, target.name]],
        );
      });
    }
  });
});
