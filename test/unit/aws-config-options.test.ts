// Config rules for the RDS-managed master password and the cross-region replica
// (stack/postgres/keys.ts, stack/credentials/keys.ts), and which values ReplacementGuard compares
// (stack/aws/guarded-config.ts). Pure: no Pulumi runtime.
import { strict as assert } from "node:assert";
import { replacementGuardProvider } from "../../stack/aws/replacement-guard-check";
import { validateConfig } from "../../stack/config/validate";
import type { AwsStackConfig } from "../../stack/config/types";
import { PROJECT } from "../../testbed/stack";
import { guardedConfig } from "../../stack/aws/guarded-config";
import { managedMasterPassword } from "../../stack/credentials/master-secret-value";
import { CROSS_REGION_REPLICA, prod, problemsOf } from "../support/config-cases";

const awsConfig = (overrides: Record<string, string | undefined>) =>
  validateConfig(prod(overrides), PROJECT, "prod") as AwsStackConfig;

describe("AWS config: RDS-managed master password", () => {
  it("is refused with blue/green and with read replicas (AWS: neither supports a managed master password)", () => {
    const withReplicas = problemsOf(prod({ postgresMasterPasswordMode: "managed" }));
    assert.equal(withReplicas.length, 1, withReplicas.join("\n"));
    assert.match(
      withReplicas[0],
      /^Invalid value for offthegrid-database:postgresMasterPasswordMode: "managed"\. Allowed values are: generated while the primary has read replicas \(postgresReplicaCount 2\): RDS cannot create a read replica/,
    );
    const withBlueGreen = problemsOf(
      prod({
        postgresMasterPasswordMode: "managed",
        postgresReplicaCount: "0",
        postgresBlueGreenUpdate: "true",
      }),
    );
    assert.equal(withBlueGreen.length, 1, withBlueGreen.join("\n"));
    assert.match(
      withBlueGreen[0],
      /postgresMasterPasswordMode: "managed"\. Allowed values are: generated while postgresBlueGreenUpdate is true \(RDS blue\/green deployments do not support/,
    );
    assert.equal(
      awsConfig({ postgresMasterPasswordMode: "managed", postgresReplicaCount: "0" }).postgres
        .masterPasswordMode,
      "managed",
    );
    assert.match(
      problemsOf(prod({ postgresMasterPasswordMode: "rds" }))[0],
      /Allowed values are: generated, managed/,
    );
  });
});

describe("ReplacementGuard: the master password epoch with blue/green", () => {
  const guard = (overrides: Record<string, string | undefined>) => ({
    guarded: guardedConfig(awsConfig(overrides)),
  });
  const blueGreen = { postgresBlueGreenUpdate: "true", postgresReplicaCount: "0" };

  it("refuses an epoch bump while blue/green is on, naming the key, both values and the way out", async () => {
    const { failures } = await replacementGuardProvider.check(
      guard({ ...blueGreen, postgresAdminPasswordEpoch: "1" }),
      guard({ ...blueGreen, postgresAdminPasswordEpoch: "2" }),
    );
    assert.equal(failures.length, 1);
    assert.match(
      failures[0].reason,
      /^offthegrid-database:postgresAdminPasswordEpoch changed from "1" to "2": while postgresBlueGreenUpdate is true .*Deploy the rotation with postgresBlueGreenUpdate: false/,
    );
  });

  it("refuses turning blue/green on in the same deployment as the bump; allows the bump with blue/green off", async () => {
    const turnedOn = await replacementGuardProvider.check(
      guard({ postgresReplicaCount: "0", postgresAdminPasswordEpoch: "1" }),
      guard({ ...blueGreen, postgresAdminPasswordEpoch: "2" }),
    );
    assert.equal(turnedOn.failures.length, 1);
    const off = await replacementGuardProvider.check(
      guard({ ...blueGreen, postgresAdminPasswordEpoch: "1" }),
      guard({ postgresReplicaCount: "0", postgresAdminPasswordEpoch: "2" }),
    );
    assert.deepEqual(
      off.failures,
      [],
      "blue/green turned off for the rotation: the provider modifies in place",
    );
    const unchanged = await replacementGuardProvider.check(guard(blueGreen), guard(blueGreen));
    assert.deepEqual(unchanged.failures, []);
  });
});

describe("the RDS-managed master secret's value (stack/credentials/master-secret-value.ts)", () => {
  const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-x";
  it("takes the password field, and refuses anything else without echoing the value", () => {
    assert.equal(
      managedMasterPassword(JSON.stringify({ username: "postgres", password: "pw-123" }), arn),
      "pw-123",
    );
    for (const bad of [
      undefined,
      "",
      "not-json-but-a-Secret-Value",
      JSON.stringify({ username: "postgres" }),
    ]) {
      assert.throws(
        () => managedMasterPassword(bad, arn),
        (err: Error) =>
          /holds no JSON "password" field/.test(err.message) &&
          err.message.includes(arn) &&
          !err.message.includes("Secret-Value"),
      );
    }
  });
});

describe("AWS config: cross-region read replica", () => {
  const DR = CROSS_REGION_REPLICA;

  it("accepts a complete one and builds it into the typed config", () => {
    const replica = awsConfig(DR).postgres.crossRegionReplica!;
    assert.deepEqual(
      [replica.region, replica.vpcId, replica.subnets.map((s) => s.availabilityZone)],
      ["eu-central-1", "vpc-0fedcba9876543210", ["eu-central-1a", "eu-central-1b"]],
    );
    assert.equal(awsConfig({}).postgres.crossRegionReplica, undefined);
  });

  it("needs a VPC and subnets in two zones of that region, another region than aws:region, and backups", () => {
    assert.match(
      problemsOf(prod({ ...DR, postgresCrossRegionReplicaVpcId: undefined })).join("\n"),
      /^Missing required config key offthegrid-database:postgresCrossRegionReplicaVpcId: /m,
    );
    for (const subnets of [
      ["subnet-0aaaaaaaaaaaaaaa1=eu-central-1a"],
      ["subnet-0aaaaaaaaaaaaaaa1=eu-west-1a", "subnet-0aaaaaaaaaaaaaaa2=eu-west-1b"],
    ])
      assert.match(
        problemsOf(prod({ ...DR, postgresCrossRegionReplicaSubnets: JSON.stringify(subnets) }))[0],
        /^Invalid value for offthegrid-database:postgresCrossRegionReplicaSubnets: .*Allowed values are: subnets of eu-central-1 in at least 2 different availability zones/,
      );
    assert.match(
      problemsOf(prod({ ...DR, postgresCrossRegionReplicaRegion: "eu-west-1" })).join("\n"),
      /Invalid value for offthegrid-database:postgresCrossRegionReplicaRegion: "eu-west-1"\. Allowed values are: a region other than aws:region/,
    );
    assert.match(
      problemsOf(prod({ ...DR, postgresReplicaCount: "0", postgresBackupRetentionDays: "0" })).join("\n"),
      /postgresBackupRetentionDays: 0\. Allowed values are: 1 to 35 while postgresCrossRegionReplicaRegion is set/,
    );
  });

  it("refuses its settings without a region, and refuses blue/green and a managed master password with it", () => {
    const stray = problemsOf(prod({ postgresCrossRegionReplicaVpcId: "vpc-0fedcba9876543210" }));
    assert.equal(stray.length, 1, stray.join("\n"));
    assert.match(
      stray[0],
      /postgresCrossRegionReplicaVpcId: .*empty unless postgresCrossRegionReplicaRegion is set/,
    );
    assert.match(
      problemsOf(prod({ ...DR, postgresReplicaCount: "0", postgresBlueGreenUpdate: "true" })).join("\n"),
      /postgresBlueGreenUpdate: true\. Allowed values are: false while postgresCrossRegionReplicaRegion is eu-central-1/,
    );
    assert.match(
      problemsOf(prod({ ...DR, postgresReplicaCount: "0", postgresMasterPasswordMode: "managed" })).join(
        "\n",
      ),
      /postgresMasterPasswordMode: "managed"\. Allowed values are: generated while the primary has read replicas \(postgresReplicaCount 0, postgresCrossRegionReplicaRegion eu-central-1\)/,
    );
  });

  it("ReplacementGuard refuses moving it to another region, not adding or removing it", async () => {
    const guard = (region?: string) => ({
      guarded: guardedConfig(
        awsConfig(
          region
            ? {
                ...DR,
                postgresCrossRegionReplicaRegion: region,
                postgresCrossRegionReplicaSubnets: JSON.stringify([
                  `subnet-0aaaaaaaaaaaaaaa1=${region}a`,
                  `subnet-0aaaaaaaaaaaaaaa2=${region}b`,
                ]),
              }
            : {},
        ),
      ),
    });
    const moved = await replacementGuardProvider.check(guard("eu-central-1"), guard("eu-north-1"));
    assert.equal(moved.failures.length, 1);
    assert.match(
      moved.failures[0].reason,
      /postgresCrossRegionReplicaRegion changed from "eu-central-1" to "eu-north-1": that replaces the cross-region read replica/,
    );
    assert.deepEqual((await replacementGuardProvider.check(guard(), guard("eu-central-1"))).failures, []);
    assert.deepEqual((await replacementGuardProvider.check(guard("eu-central-1"), guard())).failures, []);
  });
});

describe("AWS config: ElastiCache engine", () => {
  it("is redis or valkey (default redis); ReplacementGuard lets redis become valkey and refuses the way back", async () => {
    assert.equal(awsConfig({}).redis.engine, "redis");
    assert.equal(awsConfig({ redisEngine: "valkey" }).redis.engine, "valkey");
    assert.match(
      problemsOf(prod({ redisEngine: "memcached" }))[0],
      /redisEngine: "memcached"\. Allowed values are: redis, valkey/,
    );
    const guard = (engine: string) => ({ guarded: guardedConfig(awsConfig({ redisEngine: engine })) });
    assert.deepEqual((await replacementGuardProvider.check(guard("redis"), guard("valkey"))).failures, []);
    const back = await replacementGuardProvider.check(guard("valkey"), guard("redis"));
    assert.equal(back.failures.length, 1);
    assert.match(
      back.failures[0].reason,
      /redisEngine changed from "valkey" to "redis": ElastiCache upgrades Redis OSS to Valkey in place but documents no way back/,
    );
  });
});
