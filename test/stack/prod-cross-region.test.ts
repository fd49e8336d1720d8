// An encrypted read replica in a second region, through the prod stack under mocks.
// Each regional thing it needs (KMS key, subnet group, security group, parameter group, log groups, alarms
// and their topic, RDS events) is created in that region; the replica is protected and names its source by
// ARN.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { checkStack, stackResources } from "../../testbed/policy-check";
import { plain } from "../../testbed/mocks";
import { StackRun, ofType } from "../../testbed/stack";
import { evaluatePolicies } from "../../policy/offline";
import { policies } from "../../policy/policies";
import { CROSS_REGION_REPLICA } from "../support/config-cases";
import { T, primaryOf, prodStack, replicasOf } from "../support/prod-stack";

const DR = {
  ...CROSS_REGION_REPLICA,
  postgresCrossRegionReplicaAllowedSecurityGroupIds: JSON.stringify(["sg-0aaaaaaaaaaaaaaa3"]),
};
const ID = "offthegrid-prod-replica-eu-central-1";
const mockArn = (type: string, name: string) =>
  `arn:aws:mock:eu-west-1:123456789012:${type.split(":")[1]}/${name}`;

async function dependencies(input: unknown): Promise<string[]> {
  if (!pulumi.Output.isInstance(input)) return [];
  const resources: Set<pulumi.Resource> = await (input as any).allResources();
  return Promise.all([...resources].map((r) => new Promise<string>((ok) => r.urn.apply(ok))));
}

describe("prod stack: cross-region read replica", function () {
  let run: StackRun;
  let off: StackRun;
  const replica = () => ofType(run, T.instance).find((i) => plain(i.inputs).identifier === ID)!;
  before(async () => {
    run = await prodStack(DR);
    off = await prodStack();
  });

  it("names its source by ARN, is encrypted with a key of its own region, and runs in that region", () => {
    const r = plain(replica().inputs);
    assert.equal(r.region, "eu-central-1");
    assert.equal(r.replicateSourceDb, mockArn(T.instance, primaryOf(run).name));
    const key = ofType(run, T.key).find(
      (k) =>
        plain(k.inputs).region === "eu-central-1" &&
        k.name.includes("cross-region") &&
        !k.name.includes("alarms"),
    )!;
    assert.ok(key, "a data key in eu-central-1");
    assert.deepEqual(
      [r.storageEncrypted, r.kmsKeyId, r.performanceInsightsKmsKeyId],
      [true, mockArn(T.key, key.name), mockArn(T.key, key.name)],
    );
    assert.deepEqual(
      [
        r.backupRetentionPeriod,
        r.skipFinalSnapshot,
        r.publiclyAccessible,
        r.performanceInsightsRetentionPeriod,
      ],
      [0, true, false, 7],
    );
    assert.equal(r.maintenanceWindow, "sun:06:00-sun:07:00", "after the two same-region replicas' windows");
    assert.equal(r.maxAllocatedStorage, plain(primaryOf(run).inputs).maxAllocatedStorage);
    const opts = run.options.find((o) => o.type === T.instance && o.name === replica().name)!;
    assert.equal(opts.opts.protect, true);
    assert.deepEqual(ofType(off, T.instance).length, 3, "no replica without the key");
  });

  it("its subnet group, security group, parameter group and log groups are in its region", () => {
    const r = plain(replica().inputs);
    const subnets = ofType(run, "aws:rds/subnetGroup:SubnetGroup").find(
      (g) => plain(g.inputs).region === "eu-central-1",
    )!;
    assert.deepEqual(plain(subnets.inputs).subnetIds, [
      "subnet-0aaaaaaaaaaaaaaa1",
      "subnet-0aaaaaaaaaaaaaaa2",
    ]);
    assert.equal(r.dbSubnetGroupName, subnets.name);
    const sg = ofType(run, T.sg).find((g) => plain(g.inputs).region === "eu-central-1")!;
    const g = plain(sg.inputs);
    assert.equal(g.vpcId, "vpc-0fedcba9876543210");
    assert.deepEqual(g.egress, []);
    assert.deepEqual(
      g.ingress.map((i: { fromPort: number; toPort: number; securityGroups?: string[] }) => [
        i.fromPort,
        i.toPort,
        i.securityGroups,
      ]),
      [[5432, 5432, ["sg-0aaaaaaaaaaaaaaa3"]]],
    );
    assert.deepEqual(r.vpcSecurityGroupIds, [`${sg.name}-id`]);
    const params = ofType(run, T.paramGroup).find((p) => plain(p.inputs).region === "eu-central-1")!;
    assert.equal(r.parameterGroupName, params.name);
    assert.ok(
      plain(params.inputs).parameters.some(
        (p: { name: string; value: string }) => p.name === "rds.force_ssl" && p.value === "1",
      ),
    );
    const logs = ofType(run, T.logGroup).filter((l) =>
      plain(l.inputs).name.startsWith(`/aws/rds/instance/${ID}/`),
    );
    assert.deepEqual(
      logs.map((l) => [plain(l.inputs).name.split("/").pop(), plain(l.inputs).region]),
      [
        ["postgresql", "eu-central-1"],
        ["upgrade", "eu-central-1"],
      ],
    );
  });

  it("alarms on its lag and health, and subscribes its RDS events, in its region with a topic of that region", () => {
    const lag = ofType(run, T.alarm).filter(
      (a) =>
        plain(a.inputs).metricName === "ReplicaLag" && plain(a.inputs).dimensions.DBInstanceIdentifier === ID,
    );
    assert.equal(lag.length, 1);
    const alarm = plain(lag[0].inputs);
    assert.deepEqual([alarm.region, alarm.threshold], ["eu-central-1", 300]);
    const topic = ofType(run, T.topic).find((t) => plain(t.inputs).region === "eu-central-1")!;
    assert.deepEqual(alarm.alarmActions, [mockArn(T.topic, topic.name)]);
    const drAlarms = ofType(run, T.alarm).filter(
      (a) => plain(a.inputs).dimensions?.DBInstanceIdentifier === ID,
    );
    assert.ok(
      drAlarms.every((a) => plain(a.inputs).region === "eu-central-1"),
      "every alarm of the replica is in its region",
    );
    assert.ok(drAlarms.some((a) => plain(a.inputs).metricName === "FreeStorageSpace"));
    const events = ofType(run, T.eventSub).find((e) => plain(e.inputs).region === "eu-central-1")!;
    assert.deepEqual(plain(events.inputs).sourceIds, [ID]);
    assert.equal(plain(events.inputs).snsTopic, mockArn(T.topic, topic.name));
  });

  it("the proxy target and PITR replication wait for it like for the other replicas; outputs say where it is", async () => {
    const target = run.options.find((o) => o.type === "aws:rds/proxyTarget:ProxyTarget")!.props
      .dbInstanceIdentifier;
    const pitr = run.options.find((o) => o.type === T.pitr)!.props.sourceDbInstanceArn;
    for (const input of [target, pitr])
      assert.ok((await dependencies(input)).some((u) => u.endsWith(`::${replica().name}`)));
    const out = run.outputs.awsResources.postgresCrossRegionReplica;
    assert.deepEqual([out.region, out.arn], ["eu-central-1", mockArn(T.instance, replica().name)]);
    assert.match(out.address, new RegExp(`^${replica().name}\\.[0-9a-f]+\\.mock\\.internal$`));
    assert.equal(off.outputs.awsResources.postgresCrossRegionReplica, undefined);
    assert.equal(replicasOf(run).length, 3);
  });

  it("with IAM authentication, the rds-db:connect policy names it with its own region", async () => {
    const iam = await prodStack({ ...DR, postgresIamAuth: "true" });
    const doc = JSON.parse(plain(ofType(iam, "aws:iam/policy:Policy")[0].inputs).policy);
    const regions = doc.Statement[0].Resource.map((arn: string) => arn.split(":")[3]);
    assert.deepEqual(regions, ["eu-west-1", "eu-west-1", "eu-west-1", "eu-central-1"]);
  });

  it("passes the policy pack; a replica without its key, or its lag alarm in the primary's region, is caught", async () => {
    assert.deepEqual(
      (await checkStack("prod", DR)).filter((v) => v.level === "mandatory"),
      [],
    );
    const { resources, region } = await stackResources("prod", DR);
    const seeded = async (mutate: (rs: typeof resources) => void) => {
      const copy: typeof resources = JSON.parse(JSON.stringify(resources));
      mutate(copy);
      const violations = await evaluatePolicies(policies, copy, {
        stack: "prod",
        project: "offthegrid-database",
        config: { all: "mandatory" },
        defaultProviderProps: { region },
      });
      return violations.map((v) => v.policy);
    };
    const drReplica = (rs: typeof resources) =>
      rs.find((r) => r.type === T.instance && r.props.identifier === ID)!;
    assert.deepEqual(await seeded((rs) => delete drReplica(rs).props.kmsKeyId), [
      "rds-cross-region-replica-encrypted",
    ]);
    assert.deepEqual(
      await seeded((rs) => {
        const lag = rs.find(
          (r) =>
            r.type === T.alarm &&
            r.props.metricName === "ReplicaLag" &&
            (r.props.dimensions as Record<string, string>).DBInstanceIdentifier === ID,
        )!;
        delete lag.props.region;
      }),
      ["cloudwatch-rds-replica-lag-alarm"],
    );
  });
});
