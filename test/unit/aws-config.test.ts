// AWS config rules (stack/<concern>/keys.ts) and the window arithmetic behind them: pure, no Pulumi runtime.
import { replacementGuardProvider } from "../../stack/aws/replacement-guard-check";
import { strict as assert } from "node:assert";
import { validateConfig } from "../../stack/config/validate";
import { PROJECT } from "../../testbed/stack";
import { backupStartConflicts, dailyCron, dailyCronStart, overlaps, weeklySpan } from "../../policy/windows";
import { prod, staging, problemsOf } from "../support/config-cases";

describe("AWS config rules", () => {
  it("accepts the shipped prod and staging files", () => {
    for (const cfg of [
      validateConfig(prod(), PROJECT, "prod"),
      validateConfig(staging(), PROJECT, "staging"),
    ])
      assert.equal(cfg.platform, "aws");
  });

  it("4: refuses an AWS stack that gives neither the deploy runner's security group nor schemaEndpoint", () => {
    const problems = problemsOf(prod({ deployRunnerSecurityGroupIds: undefined }));
    assert.deepEqual(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^Missing required config key offthegrid-database:deployRunnerSecurityGroupIds or offthegrid-database:schemaEndpoint: /,
    );
    validateConfig(
      prod({ deployRunnerSecurityGroupIds: undefined, schemaEndpoint: "localhost:15432" }),
      PROJECT,
      "x",
    );
    assert.match(
      problemsOf(prod({ deployRunnerSecurityGroupIds: JSON.stringify(["default"]) }))[0],
      /Invalid value for offthegrid-database:deployRunnerSecurityGroupIds: .*sg-0123456789abcdef0/,
    );
  });

  it("7: refuses a backup start inside the RDS maintenance window, the hour before it, or the RDS backup window", () => {
    const start = (t: string) => problemsOf(prod({ backupStartTime: t })).join("\n");
    // The old hard-coded 03:00 collided with Sunday's sun:03:00-sun:04:00 maintenance.
    assert.match(
      start("03:00"),
      /Invalid value for offthegrid-database:backupStartTime: "03:00".*postgresMaintenanceWindow \(sun:03:00-sun:04:00\) and the hour before it/,
    );
    assert.match(
      start("01:30"),
      /postgresMaintenanceWindow/,
      "its start window runs into the hour before maintenance",
    );
    assert.match(start("01:45"), /postgresBackupWindow \(02:00-02:30\)/);
    assert.ok(validateConfig(prod({ backupStartTime: "05:00" }), PROJECT, "x"));
    assert.ok(validateConfig(prod({ backupStartTime: "22:00" }), PROJECT, "x"));
    assert.match(problemsOf(prod({ backupStartTime: "5am" }))[0], /a UTC time hh:mm such as 05:00/);
  });

  it("6: compliance mode needs the lock and a maximum retention at least the retention", () => {
    assert.match(
      problemsOf(prod({ backupVaultLock: "false", backupVaultComplianceLock: "true" }))[0],
      /backupVaultComplianceLock.*false unless backupVaultLock is true/,
    );
    assert.match(
      problemsOf(prod({ backupVaultMaxRetentionDays: "30" }))[0],
      /at least backupRetentionDays \(35\)/,
    );
    const cfg = validateConfig(prod({ backupVaultComplianceLock: "true" }), PROJECT, "x");
    assert.ok(cfg.platform === "aws" && cfg.backup.complianceLock && cfg.backup.vaultLock);
  });

  it("15: requires aws:allowedAccountIds to hold exactly awsAccountId", () => {
    assert.match(
      problemsOf(prod({ "aws:allowedAccountIds": undefined }))[0],
      /Missing required config key aws:allowedAccountIds .*awsAccountId \(123456789012\)/,
    );
    assert.match(
      problemsOf(prod({ "aws:allowedAccountIds": JSON.stringify(["999999999999"]) }))[0],
      /Invalid value for aws:allowedAccountIds: .*\["123456789012"\]/,
    );
  });

  it("beyond: Database Insights advanced needs 465 days of Performance Insights", () => {
    assert.match(
      problemsOf(prod({ postgresDatabaseInsightsMode: "advanced" }))[0],
      /postgresDatabaseInsightsMode.*postgresPerformanceInsightsRetentionDays >= 465/,
    );
    assert.ok(
      validateConfig(
        prod({ postgresDatabaseInsightsMode: "advanced", postgresPerformanceInsightsRetentionDays: "465" }),
        PROJECT,
        "x",
      ),
    );
    assert.match(problemsOf(prod({ kmsBreakGlassRoleArn: "admin" }))[0], /an IAM role ARN/);
    assert.match(
      problemsOf(
        prod({
          postgresBackupRetentionDays: "0",
          postgresReplicaCount: "0",
          postgresBlueGreenUpdate: "true",
        }),
      )[0],
      /postgresBackupRetentionDays.*while postgresBlueGreenUpdate is true/,
    );
  });

  it("blue/green is refused with read replicas (the provider's switchover leaves them on -old1)", () => {
    const problems = problemsOf(prod({ postgresBlueGreenUpdate: "true" }));
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^Invalid value for offthegrid-database:postgresBlueGreenUpdate: true\. Allowed values are: false while postgresReplicaCount is 2/,
    );
    assert.ok(
      validateConfig(prod({ postgresBlueGreenUpdate: "true", postgresReplicaCount: "0" }), PROJECT, "x"),
      "blue/green with the proxy and no replicas is accepted (RDS Proxy supports blue/green)",
    );
  });

  it("window arithmetic: daily vs weekly spans, the lead hour, the week's wrap-around", () => {
    assert.deepEqual(
      backupStartConflicts({
        start: "03:00",
        startWindowMinutes: 60,
        rdsMaintenanceWindow: "sun:03:00-sun:04:00",
      }),
      ["maintenance"],
    );
    assert.deepEqual(
      backupStartConflicts({
        start: "02:15",
        startWindowMinutes: 30,
        rdsMaintenanceWindow: "sun:03:00-sun:04:00",
      }),
      ["maintenance"],
      "the hour before maintenance is closed too",
    );
    assert.deepEqual(
      backupStartConflicts({
        start: "01:00",
        startWindowMinutes: 60,
        rdsMaintenanceWindow: "sun:03:00-sun:04:00",
      }),
      [],
    );
    // Saturday 23:30 start, Sunday 00:30 maintenance: across the week boundary.
    assert.ok(
      overlaps([{ start: 6 * 1440 + 1410, end: 6 * 1440 + 1470 }], [weeklySpan("sun:00:30-sun:01:00", 60)]),
    );
    assert.deepEqual(
      backupStartConflicts({ start: "23:30", startWindowMinutes: 60, rdsBackupWindow: "00:00-00:30" }),
      ["backup"],
      "across midnight",
    );
    assert.equal(dailyCron("05:07"), "cron(7 5 * * ? *)");
    assert.equal(dailyCronStart("cron(7 5 * * ? *)"), "05:07");
    assert.equal(dailyCronStart("rate(1 day)"), undefined);
  });
});

describe("replacement guard (check sees the previous deployment's values)", () => {
  const guarded = (postgresDatabase: string, kmsKeyArn = "") => ({
    guarded: {
      postgresDatabase: { value: postgresDatabase, replaces: "the RDS primary (dbName)" },
      kmsKeyArn: { value: kmsKeyArn, replaces: "the RDS primary and the Redis replication group (kmsKeyId)" },
    },
  });

  it("passes a first deployment and an unchanged one", async () => {
    assert.deepEqual((await replacementGuardProvider.check({}, guarded("offthegrid"))).failures, []);
    assert.deepEqual(
      (await replacementGuardProvider.check(guarded("offthegrid"), guarded("offthegrid"))).failures,
      [],
    );
  });

  it("refuses a changed database name or KMS key, naming the key, both values and what would be replaced", async () => {
    const { failures } = await replacementGuardProvider.check(
      guarded("offthegrid"),
      guarded("platform", "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"),
    );
    assert.equal(failures.length, 2);
    assert.match(
      failures[0].reason,
      /offthegrid-database:postgresDatabase changed from "offthegrid" to "platform"/,
    );
    assert.match(failures[0].reason, /replaces the RDS primary \(dbName\), which is protected/);
    assert.match(failures[1].reason, /offthegrid-database:kmsKeyArn changed from "" to "arn:aws:kms:/);
  });
});
