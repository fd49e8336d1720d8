import { strict as assert } from "node:assert";
import { validateConfig } from "../../stack/config/validate";
import { PROJECT } from "../../testbed/stack";
import { dev, prod, problemsOf, staging } from "../support/config-cases";

// AWS cases start from the shipped staging example, so they also prove a staging stack works from a file
// alone.
const aws = staging;

describe("config validation (pure)", () => {
  it("accepts the shipped dev stack and applies Pulumi.yaml's defaults", () => {
    const cfg = validateConfig(dev(), PROJECT, "dev");
    assert.equal(cfg.platform, "docker");
    if (cfg.platform !== "docker") return;
    assert.equal(cfg.postgres.hostPort, 5432);
    assert.equal(cfg.redis.maxmemoryMb, 256);
    assert.equal(cfg.tools.enabled, false);
    assert.equal(cfg.rotation.postgresApp, 0);
  });

  it("accepts a minimal AWS stack (dev-only defaults injected by the CLI are not errors)", () => {
    const cfg = validateConfig(aws(), PROJECT, "staging");
    assert.equal(cfg.platform, "aws");
    if (cfg.platform !== "aws") return;
    assert.deepEqual(
      cfg.network.privateSubnets.map((s) => s.availabilityZone),
      ["eu-west-1a", "eu-west-1b"],
    );
  });

  it("maps each rotation epoch to its credential only", () => {
    const cfg = validateConfig(dev({ redisAppPasswordEpoch: "3" }), PROJECT, "dev");
    assert.equal(cfg.rotation.redisApp, 3);
    assert.equal(cfg.rotation.redisAdmin, 0);
  });

  // [description, config, key named in the message, fragment of what is allowed]
  const invalid: [string, Record<string, string>, string, RegExp][] = [
    [
      "environment missing",
      dev({ environment: undefined }),
      "environment",
      /Missing required.*one of dev, staging, prod/,
    ],
    [
      "environment unknown",
      dev({ environment: "production" }),
      "environment",
      /"production".*dev, staging, prod/,
    ],
    ["environment wrong case", dev({ environment: "Dev" }), "environment", /"Dev"/],
    [
      "unknown key (typo)",
      dev({ postgresHostPrt: "5433" }),
      "postgresHostPrt",
      /Unknown config key .*postgresHostPrt\. Did you mean offthegrid-database:postgresHostPort\? Allowed keys for docker stacks are: environment/,
    ],
    ["unknown key", dev({ enableSeqscan: "false" }), "enableSeqscan", /Unknown config key/],
    [
      "port not a number",
      dev({ postgresHostPort: "five" }),
      "postgresHostPort",
      /"five".*integer from 1024 to 65535/,
    ],
    ["port above range", dev({ postgresHostPort: "70000" }), "postgresHostPort", /"70000".*1024 to 65535/],
    ["privileged port", dev({ redisHostPort: "80" }), "redisHostPort", /"80".*1024 to 65535/],
    ["fractional port", dev({ redisHostPort: "6379.5" }), "redisHostPort", /integer/],
    [
      "port clash postgres/redis",
      dev({ redisHostPort: "5432" }),
      "redisHostPort",
      /Invalid values for offthegrid-database:postgresHostPort and offthegrid-database:redisHostPort: both are 5432\..*change either/,
    ],
    [
      "port clash made by changing the first key names that key too",
      dev({ postgresHostPort: "6379" }),
      "postgresHostPort",
      /postgresHostPort and .*redisHostPort: both are 6379/,
    ],
    [
      "port clash with tools on",
      dev({ devTools: "true", pgadminHostPort: "6379" }),
      "pgadminHostPort",
      /redisHostPort and .*pgadminHostPort: both are 6379/,
    ],
    [
      "tool ports clash with each other",
      dev({ devTools: "true", redisCommanderHostPort: "8080" }),
      "redisCommanderHostPort",
      /pgadminHostPort/,
    ],
    [
      "postgres alpine image (uid 70 cannot start a volume the Debian image made)",
      dev({ postgresImage: "postgres:17.6-alpine" }),
      "postgresImage",
      /not alpine: the Alpine image runs postgres as uid 70/,
    ],
    ["boolean as yes", dev({ devTools: "yes" }), "devTools", /"yes".*true, false/],
    ["maxmemory too small", dev({ redisMaxmemoryMb: "8" }), "redisMaxmemoryMb", /16 to 65536/],
    ["negative epoch", dev({ postgresAppPasswordEpoch: "-1" }), "postgresAppPasswordEpoch", /integer from 0/],
    ["epoch not integer", dev({ redisAdminPasswordEpoch: "1.5" }), "redisAdminPasswordEpoch", /integer/],
    [
      "postgres image latest",
      dev({ postgresImage: "postgres:latest" }),
      "postgresImage",
      /exact image version.*never latest/,
    ],
    ["postgres image bare major", dev({ postgresImage: "postgres:17" }), "postgresImage", /MAJOR\.MINOR/],
    [
      "postgres image wrong major",
      dev({ postgresImage: "postgres:16.4" }),
      "postgresImage",
      /major version 17/,
    ],
    ["postgres image wrong repository", dev({ postgresImage: "mysql:8.0.36" }), "postgresImage", /postgres/],
    ["redis image wrong major", dev({ redisImage: "redis:6.2.14" }), "redisImage", /major version 7/],
    ["redis image untagged", dev({ redisImage: "redis" }), "redisImage", /exact image version/],
    ["pgadmin image latest", dev({ pgadminImage: "dpage/pgadmin4:latest" }), "pgadminImage", /never latest/],
    [
      "pgadmin email .local",
      dev({ pgadminEmail: "admin@offthegrid.local" }),
      "pgadminEmail",
      /special-use.*\.local/,
    ],
    ["pgadmin email not an address", dev({ pgadminEmail: "admin" }), "pgadminEmail", /email address/],
    [
      "database name with dash",
      dev({ postgresDatabase: "off-the-grid" }),
      "postgresDatabase",
      /PostgreSQL identifier/,
    ],
    ["database name upper case", dev({ postgresDatabase: "OffTheGrid" }), "postgresDatabase", /lower-case/],
    ["owner too long", dev({ owner: "x".repeat(129) }), "owner", /1 to 128 characters/],
    [
      "AWS key on a dev stack",
      dev({ vpcId: "vpc-0123456789abcdef0" }),
      "vpcId",
      /applies only to AWS stacks/,
    ],
    ["dev key on an AWS stack", aws({ devTools: "true" }), "devTools", /applies only to Docker stacks/],
    ["vpcId missing on AWS", aws({ vpcId: undefined }), "vpcId", /Missing required.*aws stack/],
    ["vpcId malformed", aws({ vpcId: "vpc-123" }), "vpcId", /vpc-0123456789abcdef0/],
    [
      "subnets missing",
      aws({ privateSubnets: undefined }),
      "privateSubnets",
      /Missing required.*pulumi config set --path 'privateSubnets\[0\]'/,
    ],
    ["subnets not JSON", aws({ privateSubnets: "subnet-a,subnet-b" }), "privateSubnets", /a list of 2 to 16/],
    [
      "subnet without its AZ",
      aws({
        privateSubnets: JSON.stringify(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1=eu-west-1b"]),
      }),
      "privateSubnets",
      /item 0 must be a subnet id and its availability zone/,
    ],
    [
      "subnets in one AZ",
      aws({
        privateSubnets: JSON.stringify([
          "subnet-0123456789abcdef0=eu-west-1a",
          "subnet-0123456789abcdef1=eu-west-1a",
        ]),
      }),
      "privateSubnets",
      /at least 2 different availability zones/,
    ],
    [
      "duplicate subnet",
      aws({
        privateSubnets: JSON.stringify([
          "subnet-0123456789abcdef0=eu-west-1a",
          "subnet-0123456789abcdef1=eu-west-1b",
          "subnet-0123456789abcdef0=eu-west-1a",
        ]),
      }),
      "privateSubnets",
      /distinct subnet ids/,
    ],
    [
      "CIDR open to the world",
      aws({ allowedCidrs: JSON.stringify(["0.0.0.0/0"]) }),
      "allowedCidrs",
      /whole internet/,
    ],
    ["IPv6 world CIDR", aws({ allowedCidrs: JSON.stringify(["::/0"]) }), "allowedCidrs", /whole internet/],
    [
      "malformed CIDR",
      aws({ allowedCidrs: JSON.stringify(["10.0.0.300/16"]) }),
      "allowedCidrs",
      /IPv4 or IPv6 CIDR/,
    ],
    [
      "bad security group id",
      aws({ allowedSecurityGroupIds: JSON.stringify(["default"]) }),
      "allowedSecurityGroupIds",
      /sg-/,
    ],
    [
      "no allowed sources at all",
      aws({ allowedCidrs: "[]" }),
      "allowedSecurityGroupIds",
      /nothing could reach the databases/,
    ],
    ["account id not 12 digits", prod({ awsAccountId: "12345" }), "awsAccountId", /12-digit AWS account id/],
    [
      "bad RDS instance class",
      prod({ postgresInstanceClass: "db.r6g.huge" }),
      "postgresInstanceClass",
      /an RDS instance class such as db\.r6g\.large/,
    ],
    [
      "instance class without db. prefix",
      prod({ postgresInstanceClass: "r6g.large" }),
      "postgresInstanceClass",
      /RDS instance class/,
    ],
    [
      "replica count out of range",
      prod({ postgresReplicaCount: "6" }),
      "postgresReplicaCount",
      /integer from 0 to 5/,
    ],
    [
      "retention 0 with replicas",
      prod({ postgresBackupRetentionDays: "0" }),
      "postgresBackupRetentionDays",
      /while postgresReplicaCount > 0/,
    ],
    [
      "backup copy region equal to the primary region",
      prod({ backupCopyRegion: "eu-west-1" }),
      "backupCopyRegion",
      /a region other than aws:region \(eu-west-1\)/,
    ],
    [
      "backup copy region malformed",
      prod({ backupCopyRegion: "europe" }),
      "backupCopyRegion",
      /an AWS region such as eu-west-1/,
    ],
    [
      "storage ceiling below initial storage",
      prod({ postgresMaxAllocatedStorageGb: "100" }),
      "postgresMaxAllocatedStorageGb",
      /at least postgresAllocatedStorageGb \(200\)/,
    ],
    ["shards without cluster mode", prod({ redisShards: "3" }), "redisShards", /only in cluster mode/],
    ["bad cache node type", prod({ redisNodeType: "r7g.large" }), "redisNodeType", /cache\.r7g\.large/],
    [
      "retired epoch ahead of the epoch",
      prod({ redisAppRetiredEpoch: "2" }),
      "redisAppRetiredEpoch",
      /0 to offthegrid-database:redisAppPasswordEpoch \(0\)/,
    ],
    [
      "backup window overlapping maintenance",
      prod({ postgresBackupWindow: "03:30-04:00" }),
      "postgresBackupWindow",
      /does not overlap postgresMaintenanceWindow/,
    ],
    [
      "log retention not a CloudWatch period",
      prod({ logRetentionDays: "45" }),
      "logRetentionDays",
      /CloudWatch's retention periods/,
    ],
    [
      "Performance Insights retention",
      prod({ postgresPerformanceInsightsRetentionDays: "30" }),
      "postgresPerformanceInsightsRetentionDays",
      /multiple of 31/,
    ],
    ["KMS key ARN malformed", prod({ kmsKeyArn: "my-key" }), "kmsKeyArn", /a KMS key ARN/],
    ["schema endpoint without port", prod({ schemaEndpoint: "localhost" }), "schemaEndpoint", /host:port/],
  ];

  for (const [what, config, key, allowed] of invalid) {
    it(`rejects: ${what}`, () => {
      const problems = problemsOf(config);
      const hit = problems.find((p) => p.includes(`${PROJECT}:${key}`));
      assert.ok(hit, `no problem names ${key}: ${JSON.stringify(problems)}`);
      assert.match(hit, allowed);
    });
  }

  it("an unknown key on a dev stack lists only the keys a dev stack can use, and no guess when nothing is close", () => {
    const [problem] = problemsOf(dev({ enableSeqscan: "false" }));
    assert.doesNotMatch(problem, /Did you mean/);
    assert.match(problem, /postgresHostPort/);
    assert.doesNotMatch(problem, /privateSubnets|backupCopyRegion/);
    const [awsProblem] = problemsOf(aws({ postgresHostPrt: "5433" }));
    assert.match(awsProblem, /Allowed keys for aws stacks are: .*privateSubnets/);
  });

  it(`covers at least 25 distinct invalid configs (has ${invalid.length})`, () => {
    assert.ok(invalid.length >= 25);
  });

  it("reports every problem at once, in one error whose message names the stack", () => {
    let message = "";
    try {
      validateConfig(dev({ postgresHostPort: "0", redisImage: "redis:latest", typo: "1" }), PROJECT, "dev");
    } catch (err) {
      message = (err as Error).message;
    }
    assert.match(message, /^Invalid configuration for stack "dev":/);
    for (const key of ["postgresHostPort", "redisImage", "typo"])
      assert.match(message, new RegExp(`${PROJECT}:${key}`));
  });

  it("requires aws:region on AWS stacks", () => {
    const problems = problemsOf(prod({ "aws:region": undefined }));
    assert.ok(
      problems.some((p) => /Missing required config key aws:region/.test(p)),
      problems.join("\n"),
    );
  });

  it("ignores other namespaces (provider config such as aws:region)", () => {
    assert.doesNotThrow(() =>
      validateConfig({ ...dev(), "aws:region": "eu-west-1", "docker:host": "unix:///x" }, PROJECT, "dev"),
    );
  });
});
