// The shipped stacks pass the pack under their environment's config, and a seeded bad variant of each is
// caught.
import { strict as assert } from "node:assert";
import { checkStack, stackResources } from "../../testbed/policy-check";
import type { OfflineResource } from "../../policy/offline";
import { configOf, run } from "../support/policy-fixtures";

describe("policy pack (offline CrossGuard evaluation)", function () {
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

    // Seeded bad variants of the shipped stacks: one resource changed, caught under that environment's
    // config.
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
