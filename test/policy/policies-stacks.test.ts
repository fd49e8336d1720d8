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

  // Each store's role comes from what its app user is granted: swap the policies and both are caught.
  describe("redis-eviction-by-store on the shipped stacks' two Redis stores", () => {
    const swapped = async (stack: string, mutate: (r: OfflineResource[]) => string[]) => {
      const copy: OfflineResource[] = JSON.parse(JSON.stringify((await stackResources(stack)).resources));
      const names = mutate(copy);
      const violations = (await run(copy, configOf(stack))).filter(
        (v) => v.policy === "redis-eviction-by-store",
      );
      return { names, violations };
    };

    it("dev: the state container with allkeys-lru and the cache container with noeviction are each refused", async () => {
      const { names, violations } = await swapped("dev", (copy) => {
        const flip = (name: string, from: string, to: string) => {
          const c = copy.find((r) => r.type === "docker:index/container:Container" && r.name === name)!;
          const conf = (c.props.uploads as any[]).find((u) => u.file.endsWith("redis.conf"));
          conf.content = conf.content.replace(`maxmemory-policy ${from}`, `maxmemory-policy ${to}`);
          return name;
        };
        return [
          flip("local-redis", "noeviction", "allkeys-lru"),
          flip("local-redis-cache", "allkeys-lru", "noeviction"),
        ];
      });
      assert.deepEqual(
        violations.map((v) => v.message.split(":")[0]),
        names.map(
          (n) =>
            `Container ${n} ${n === "local-redis" ? "lets the app write state (session" : "holds only cache families (cache"}`,
        ),
      );
    });

    it("prod: the state group's parameter group with allkeys-lru and the cache's with noeviction are each refused", async () => {
      const { violations } = await swapped("prod", (copy) => {
        const groups = copy.filter((r) => r.type === "aws:elasticache/parameterGroup:ParameterGroup");
        for (const g of groups)
          for (const p of g.props.parameters as any[])
            if (p.name === "maxmemory-policy")
              p.value = p.value === "noeviction" ? "allkeys-lru" : "noeviction";
        return groups.map((g) => g.name);
      });
      assert.deepEqual(
        violations.map((v) =>
          /replication group (\S+) (lets the app write state|holds only cache)/.exec(v.message)?.slice(1),
        ),
        [
          ["aws-redis", "lets the app write state"],
          ["aws-redis-cache", "holds only cache"],
        ],
      );
    });
  });
});
