// What an AWS reviewer checks on the registered inputs: backup locks, keys, resizing, rotation, insights —
// each case fails on the code before the fix it guards.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { plain } from "../../testbed/mocks";
import { ROOT, StackRun, ofType } from "../../testbed/stack";
import { CA, T, primaryOf, prodStack, replicasOf } from "../support/prod-stack";

const sgNamed = (run: StackRun, role: string) => ofType(run, T.sg).find((s) => s.name.endsWith(`-${role}`))!;
const idOf = (r: { name: string }) => `${r.name}-id`; // the generic mock's id

describe("prod stack: operations (backup locks, keys, resizing, rotation, insights)", function () {
  let run: StackRun;
  before(async () => {
    run = await prodStack();
  });

  it("1: the RDS Proxy's group may reach PostgreSQL on 5432 and nothing else; the data stores have no egress", () => {
    const proxySg = sgNamed(run, "proxy");
    const postgresSg = sgNamed(run, "postgres");
    assert.equal(proxySg.inputs.egress, undefined, "inline egress would delete the separate rule");
    const rules = ofType(run, T.egress).map((r) => plain(r.inputs));
    assert.deepEqual(
      rules.map((r) => [r.securityGroupId, r.referencedSecurityGroupId, r.ipProtocol, r.fromPort, r.toPort]),
      [[idOf(proxySg), idOf(postgresSg), "tcp", 5432, 5432]],
    );
    for (const role of ["postgres", "redis"]) assert.deepEqual(sgNamed(run, role).inputs.egress, [], role);
    const [proxy] = ofType(run, T.proxy);
    assert.deepEqual(plain(proxy.inputs).vpcSecurityGroupIds, [idOf(proxySg)]);
  });

  it("2: outputs say which CA verifies which URL: Amazon roots for the proxy, the RDS bundle for the rest", () => {
    const { caCerts } = run.outputs.postgres;
    const urls = run.outputs.postgresUrls;
    const rds = fs.readFileSync(path.join(ROOT, CA.postgresCaBundlePath), "utf8");
    assert.match(caCerts.app, /BEGIN CERTIFICATE/);
    assert.notEqual(caCerts.app, rds, "the proxy presents an ACM certificate");
    assert.equal(caCerts.app.match(/BEGIN CERTIFICATE/g).length, 4, "Amazon Root CA 1-4");
    assert.equal(caCerts.owner, rds);
    assert.equal(caCerts.readers, rds);
    assert.deepEqual(Object.keys(caCerts).sort(), Object.keys(urls).sort(), "one CA per URL key");
  });

  it("4: the deploy runner's group reaches PostgreSQL (5432) only, never Redis", () => {
    const runner = "sg-0123456789abcdef9";
    const ingress = (role: string) => plain(sgNamed(run, role).inputs).ingress as any[];
    const pg = ingress("postgres").filter((r) => (r.securityGroups ?? []).includes(runner));
    assert.deepEqual(
      pg.map((r) => [r.fromPort, r.toPort]),
      [[5432, 5432]],
    );
    for (const role of ["redis", "proxy"])
      assert.ok(!ingress(role).some((r) => (r.securityGroups ?? []).includes(runner)), role);
  });

  it("6: vaults lock in governance mode by default; compliance only by explicit opt-in, with a generous maximum", async () => {
    for (const lock of ofType(run, T.vaultLock).map((l) => plain(l.inputs))) {
      assert.equal(lock.changeableForDays, undefined, "no changeableForDays: governance mode");
      assert.equal(lock.maxRetentionDays, 3650);
    }
    const compliance = await prodStack({ backupVaultComplianceLock: "true" });
    for (const lock of ofType(compliance, T.vaultLock).map((l) => plain(l.inputs)))
      assert.equal(lock.changeableForDays, 3);
  });

  it("6: every KMS key denies kms:ScheduleKeyDeletion outside the named break-glass role", async () => {
    const deny = (r: StackRun) =>
      ofType(r, T.key).map((k) =>
        JSON.parse(k.inputs.policy).Statement.find((s: any) => s.Effect === "Deny"),
      );
    for (const d of deny(run)) {
      assert.equal(d.Action, "kms:ScheduleKeyDeletion");
      assert.equal(d.Condition, undefined, "no break-glass role configured: denied to everyone");
    }
    const role = "arn:aws:iam::123456789012:role/break-glass";
    for (const d of deny(await prodStack({ kmsBreakGlassRoleArn: role })))
      assert.deepEqual(d.Condition, { ArnNotEquals: { "aws:PrincipalArn": role } });
  });

  it("8: replicas get the primary's storage autoscaling ceiling", () => {
    for (const r of replicasOf(run)) assert.equal(r.inputs.maxAllocatedStorage, 2000, r.name);
  });

  it("9: the primary's automated backups replicate to the copy region with that region's key (PITR there)", () => {
    const [pitr] = ofType(run, T.pitr).map((r) => plain(r.inputs));
    assert.equal(pitr.region, "eu-central-1");
    assert.equal(pitr.retentionPeriod, 14, "the primary's PITR window");
    assert.match(pitr.sourceDbInstanceArn, /aws-postgres$/);
    const copyKey = ofType(run, T.key).find((k) => k.inputs.region === "eu-central-1")!;
    assert.equal(pitr.kmsKeyId, `arn:aws:mock:eu-west-1:123456789012:kms/key/${copyKey.name}`);
  });

  it("10: no alarm treats missing data as breaching; RDS events and ElastiCache notifications reach the on-call", () => {
    const alarms = ofType(run, T.alarm).map((a) => plain(a.inputs));
    for (const a of alarms) assert.notEqual(a.treatMissingData, "breaching", a.alarmDescription);
    const lag = alarms.filter((a) => a.metricName === "ReplicationLag");
    assert.equal(lag.length, 3, "every Redis node, whichever is primary after a failover");
    for (const a of lag) assert.equal(a.treatMissingData, "notBreaching");
    for (const m of ["EngineCPUUtilization", "FreeableMemory", "CurrConnections"])
      assert.equal(
        alarms.filter((a) => a.namespace === "AWS/ElastiCache" && a.metricName === m).length,
        3,
        m,
      );
    const [sub] = ofType(run, T.eventSub).map((e) => plain(e.inputs));
    assert.equal(sub.sourceType, "db-instance");
    for (const c of ["failover", "low storage", "maintenance", "notification"])
      assert.ok(sub.eventCategories.includes(c), c);
    assert.deepEqual(sub.sourceIds, [
      "offthegrid-prod",
      "offthegrid-prod-replica-1",
      "offthegrid-prod-replica-2",
    ]);
    const alarmTopic = ofType(run, T.topic).find((t) => t.inputs.kmsMasterKeyId)!;
    assert.equal(sub.snsTopic, `arn:aws:mock:eu-west-1:123456789012:sns/topic/${alarmTopic.name}`);
    const [rg] = ofType(run, T.replicationGroup).map((r) => plain(r.inputs));
    const cacheTopic = ofType(run, T.topic).find((t) => rg.notificationTopicArn.endsWith(`/${t.name}`))!;
    assert.equal(
      cacheTopic.inputs.kmsMasterKeyId,
      undefined,
      "ElastiCache cannot publish to an encrypted topic",
    );
  });

  it("11: a resize keeps the parameter group; ElastiCache applies in the maintenance window unless configured", async () => {
    const resized = await prodStack({
      postgresInstanceClass: "db.r6g.xlarge",
      redisApplyImmediately: "true",
    });
    const description = (r: StackRun) => ofType(r, T.paramGroup)[0].inputs.description;
    assert.equal(description(resized), description(run), "description is ForceNew: must not name the class");
    assert.equal(ofType(resized, T.replicationGroup)[0].inputs.applyImmediately, true);
  });

  it("12: the primary, replicas and replication group are protected; AZ drift after failover is ignored", () => {
    const opts = (type: string) => run.options.filter((o) => o.type === type).map((o) => o.opts);
    for (const o of opts(T.instance)) assert.equal(o.protect, true);
    assert.equal(opts(T.instance).length, 3);
    assert.equal(opts(T.replicationGroup)[0].protect, true);
    const primary = run.options.find((o) => o.type === T.instance && o.name === primaryOf(run).name)!;
    assert.deepEqual(primary.opts.ignoreChanges, ["availabilityZone"]);
  });

  it("13: the master password is write-only, versioned by its epoch, and AWS stacks export no admin URL", async () => {
    assert.equal(primaryOf(run).inputs.password, undefined);
    assert.equal(run.outputs.postgresUrls.admin, undefined);
    assert.deepEqual(Object.keys(run.outputs.postgresUrls).sort(), ["app", "owner", "readers", "readonly"]);
    const rotated = await prodStack({ postgresAdminPasswordEpoch: "3" });
    assert.equal(primaryOf(rotated).inputs.passwordWoVersion, 4);
  });

  it("14: alarms publish through their own key; the data key no longer lets CloudWatch or SNS use it", () => {
    const keys = ofType(run, T.key).map((k) => ({ name: k.name, policy: JSON.parse(k.inputs.policy) }));
    const principals = (p: any) => JSON.stringify(p.Statement.map((s: any) => s.Principal));
    const data = keys.find((k) => k.name === "aws-key")!;
    assert.ok(!/cloudwatch\.amazonaws|sns\.amazonaws/.test(principals(data.policy)));
    const alarmKey = keys.find((k) => /alarms-key$/.test(k.name))!;
    const cw = alarmKey.policy.Statement.find(
      (s: any) => s.Principal?.Service === "cloudwatch.amazonaws.com",
    );
    assert.match(
      cw.Condition.ArnLike["aws:SourceArn"],
      /^arn:aws:cloudwatch:eu-west-1:123456789012:alarm:\*$/,
    );
    const topic = ofType(run, T.topic).find((t) => t.inputs.kmsMasterKeyId)!;
    assert.equal(topic.inputs.kmsMasterKeyId, `arn:aws:mock:eu-west-1:123456789012:kms/key/${alarmKey.name}`);
  });

  it("15: copy-region resources use the per-resource region argument of the default provider", () => {
    const elsewhere = run.resources.filter((r) => r.inputs.region === "eu-central-1").map((r) => r.type);
    for (const type of [T.key, "aws:backup/vault:Vault", T.vaultLock, T.pitr, "aws:kms/alias:Alias"])
      assert.ok(elsewhere.includes(type), type);
    for (const r of run.resources.filter((x) => x.type.startsWith("aws:")))
      assert.ok(
        !r.provider || r.provider.includes("pulumi:providers:aws::default"),
        `${r.type} ${r.provider}`,
      );
  });

  it("beyond: Database Insights mode, blue/green, iam-db-auth-error with IAM auth, engine-log delivery", async () => {
    const iam = await prodStack({
      postgresIamAuth: "true",
      postgresDatabaseInsightsMode: "advanced",
      postgresPerformanceInsightsRetentionDays: "465",
    });
    const p = plain(primaryOf(iam).inputs);
    assert.equal(p.databaseInsightsMode, "advanced");
    assert.ok(p.enabledCloudwatchLogsExports.includes("iam-db-auth-error"));
    assert.ok(
      ofType(iam, T.logGroup).some(
        (l) => l.inputs.name === "/aws/rds/instance/offthegrid-prod/iam-db-auth-error",
      ),
    );
    assert.ok(!plain(primaryOf(run).inputs).enabledCloudwatchLogsExports.includes("iam-db-auth-error"));
    const params = (r: StackRun) =>
      ofType(r, T.paramGroup)[0].inputs.parameters.map((x: any) => `${x.name}=${x.value}`);
    assert.ok(!params(run).includes("rds.logical_replication=1"), "prod runs no blue/green");
    const bg = await prodStack({ postgresBlueGreenUpdate: "true", postgresReplicaCount: "0" });
    assert.ok(
      params(bg).includes("rds.logical_replication=1"),
      "blue/green for PostgreSQL replicates logically",
    );
    assert.ok(
      ofType(run, T.logGroup).some((l) => l.inputs.name === "/aws/elasticache/offthegrid-prod/engine-log"),
    );
  });
});
