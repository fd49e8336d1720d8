// The shipped prod stack under mocks: the first `up`'s ordering, topics, replica placement and windows,
// alarms. Each assertion failed on the code before the fix it guards.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { plain } from "../../testbed/mocks";
import { StackRun, ofType } from "../../testbed/stack";
import { T, primaryOf, prodStack, replicasOf } from "../support/prod-stack";

/** URNs of every resource an input (as the program passed it, before the engine resolved it) depends on. */
async function dependencies(input: unknown): Promise<string[]> {
  if (!pulumi.Output.isInstance(input)) return [];
  const resources: Set<pulumi.Resource> = await (input as any).allResources();
  return Promise.all(
    [...resources].map((r) => new Promise<string>((resolve) => r.urn.apply((u) => resolve(u)))),
  );
}

const propsOf = (run: StackRun, type: string) =>
  run.options.filter((o) => o.type === type).map((o) => o.props);

describe("prod stack: creation order, replica placement and windows, alarms", function () {
  let run: StackRun;
  before(async () => {
    run = await prodStack();
  });

  it("1: the RDS event subscription waits for the replicas (their identifier outputs, not names)", async () => {
    const [ids] = propsOf(run, T.eventSub).map((p) => p.sourceIds as unknown[]);
    assert.equal(ids.length, 3);
    for (const [i, id] of ids.entries()) {
      const deps = await dependencies(id);
      const name = i === 0 ? primaryOf(run).name : replicasOf(run)[i - 1].name;
      assert.ok(
        deps.some((u) => u.endsWith(`::${name}`)),
        `sourceIds[${i}] depends on ${name}: ${deps}`,
      );
    }
  });

  it("9: the proxy target and automated-backups replication start only after every replica exists", async () => {
    const target = propsOf(run, "aws:rds/proxyTarget:ProxyTarget")[0].dbInstanceIdentifier;
    const pitr = propsOf(run, T.pitr)[0].sourceDbInstanceArn;
    for (const [what, input] of [
      ["proxy target", target],
      ["PITR replication", pitr],
    ] as const) {
      const deps = await dependencies(input);
      for (const r of replicasOf(run))
        assert.ok(
          deps.some((u) => u.endsWith(`::${r.name}`)),
          `${what} waits for ${r.name}: ${deps}`,
        );
    }
  });

  it("6: one alarm topic and one ElastiCache topic, each with one subscription, both published to", () => {
    const topics = ofType(run, T.topic);
    assert.equal(topics.length, 2, topics.map((t) => t.name).join(", "));
    const subs = ofType(run, T.subscription).map((s) => plain(s.inputs));
    const published = JSON.stringify(
      run.resources.filter((r) => r.type !== T.subscription && r.type !== T.topic).map((r) => r.inputs),
    );
    for (const t of topics) {
      const arn = `arn:aws:mock:eu-west-1:123456789012:sns/topic/${t.name}`;
      assert.equal(subs.filter((s) => s.topic === arn).length, 1, `${t.name}: one subscription`);
      assert.ok(published.includes(arn), `${t.name}: something publishes to it`);
    }
  });

  it("7, 10: replicas patch in their own windows after the primary's, keep free Performance Insights", () => {
    const replicas = replicasOf(run).map((r) => plain(r.inputs));
    assert.deepEqual(
      replicas.map((r) => r.maintenanceWindow),
      ["sun:04:00-sun:05:00", "sun:05:00-sun:06:00"],
    );
    assert.deepEqual(
      replicas.map((r) => r.availabilityZone),
      ["eu-west-1b", "eu-west-1c"],
    );
    for (const r of replicas) assert.equal(r.performanceInsightsRetentionPeriod, 7);
    assert.equal(plain(primaryOf(run).inputs).performanceInsightsRetentionPeriod, 31);
  });

  it("7: reordering privateSubnets moves no replica (placement does not follow subnet order)", async () => {
    const reordered = await prodStack({
      privateSubnets: JSON.stringify([
        "subnet-0123456789abcdef2=eu-west-1c",
        "subnet-0123456789abcdef0=eu-west-1a",
        "subnet-0123456789abcdef1=eu-west-1b",
      ]),
    });
    const zones = (r: StackRun) => replicasOf(r).map((i) => i.inputs.availabilityZone);
    assert.deepEqual(zones(reordered), zones(run));
    const guard = (r: StackRun) =>
      r.resources.find((x) => x.name.endsWith("-replacement-guard"))!.inputs.guarded.privateSubnets.value;
    assert.equal(guard(reordered), guard(run));
    assert.equal(guard(run), "replica-1=eu-west-1b,replica-2=eu-west-1c");
  });

  it("4, 5: storage pages below the autoscaling trigger; wraparound, WAL, disk queue, latency and proxy alarms", () => {
    const alarms = ofType(run, T.alarm).map((a) => plain(a.inputs));
    const on = (metric: string) => alarms.filter((a) => a.metricName === metric);
    const p = plain(primaryOf(run).inputs);
    for (const a of on("FreeStorageSpace"))
      assert.ok(a.threshold < p.allocatedStorage * 1024 ** 3 * 0.1, "below the 10 % autoscaling trigger");
    for (const m of ["MaximumUsedTransactionIDs", "TransactionLogsDiskUsage"])
      assert.deepEqual(
        on(m).map((a) => a.dimensions.DBInstanceIdentifier),
        ["offthegrid-prod"],
        m,
      );
    for (const m of ["DiskQueueDepth", "ReadLatency", "WriteLatency"]) assert.equal(on(m).length, 3, m);
    assert.deepEqual(on("AvailabilityPercentage")[0].dimensions.ProxyName, "offthegrid-prod-app");
    assert.equal(on("OldestReplicationSlotLag").length, 0, "no logical replication without blue/green");
  });

  it("2, 5: with blue/green (no replicas, no proxy) logical replication is on and its slot lag alarms", async () => {
    const bg = await prodStack({
      postgresBlueGreenUpdate: "true",
      postgresReplicaCount: "0",
      rdsProxy: "false",
    });
    const alarms = ofType(bg, T.alarm).map((a) => plain(a.inputs));
    assert.equal(alarms.filter((a) => a.metricName === "OldestReplicationSlotLag").length, 1);
    assert.deepEqual(plain(primaryOf(bg).inputs).blueGreenUpdate, { enabled: true });
  });
});
