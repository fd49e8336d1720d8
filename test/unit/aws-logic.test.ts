import { strict as assert } from "node:assert";
import { databaseAlarms, redisMemberIds } from "../../stack/monitoring/alarm-specs";
import { RDS_INSTANCE_CLASSES, instanceMemoryGiB } from "../../stack/postgres/instance-classes";
import { keyPolicy } from "../../stack/aws/kms-policy";
import { maintenanceWorkMemKb, postgresParameters, workMemKb } from "../../stack/postgres/rds-parameters";
import { redisParameters } from "../../stack/redis/elasticache";
import { windowsOverlap } from "../../policy/windows";
import { validateConfig } from "../../stack/config/validate";
import { slotGenerations } from "../../stack/credentials/credentials";
import { PROJECT, stackConfig } from "../../testbed/stack";

describe("AWS logic (pure)", () => {
  it("knows RDS instance classes and their memory", () => {
    assert.equal(instanceMemoryGiB("db.r6g.large"), 16);
    assert.equal(instanceMemoryGiB("db.m7g.2xlarge"), 32);
    assert.equal(instanceMemoryGiB("db.t4g.micro"), 1);
    assert.equal(instanceMemoryGiB("db.r7g.24xlarge"), 768);
    assert.throws(() => instanceMemoryGiB("db.r6g.huge"), /Unknown RDS instance class db\.r6g\.huge/);
    assert.ok(Object.keys(RDS_INSTANCE_CLASSES).every((c) => /^db\.[a-z0-9]+\.[a-z0-9]+$/.test(c)));
  });

  it("computes work_mem from memory and max_connections, clamped to 4 MB-256 MB", () => {
    assert.equal(workMemKb(16, 200), Math.floor((16 * 1024 * 1024 * 0.25) / 400)); // 10485 kB
    assert.equal(workMemKb(1, 5000), 4096, "floor");
    assert.equal(workMemKb(768, 20), 262144, "ceiling");
    assert.ok(workMemKb(16, 400) < workMemKb(16, 200), "more connections, less per connection");
  });

  it("computes maintenance_work_mem as 1/16 of memory, clamped to 64 MB-2 GB", () => {
    assert.equal(maintenanceWorkMemKb(16), 1048576);
    assert.equal(maintenanceWorkMemKb(1), 65536);
    assert.equal(maintenanceWorkMemKb(512), 2097152);
  });

  it("marks static parameters pending-reboot, uses RDS formulas and units, forces SSL", () => {
    const params = Object.fromEntries(
      postgresParameters({ instanceClass: "db.r6g.large", maxConnections: 200 }).map((p) => [p.name, p]),
    );
    for (const p of ["shared_buffers", "max_connections", "reserved_connections", "shared_preload_libraries"])
      assert.equal(params[p].applyMethod, "pending-reboot");
    for (const p of ["work_mem", "effective_cache_size", "log_min_duration_statement", "rds.force_ssl"])
      assert.equal(params[p].applyMethod, "immediate");
    assert.equal(params.shared_buffers.value, "{DBInstanceClassMemory/32768}");
    assert.equal(params.effective_cache_size.value, "{DBInstanceClassMemory/10923}");
    assert.equal(params.work_mem.value, "10485");
    assert.equal(params["rds.force_ssl"].value, "1");
    assert.equal(params.reserved_connections.value, "5", "slots for the migrator and the master");
  });

  it("detects backup windows that overlap the weekly maintenance window", () => {
    assert.equal(windowsOverlap("02:00-02:30", "sun:03:00-sun:04:00"), false);
    assert.equal(windowsOverlap("03:30-04:00", "sun:03:00-sun:04:00"), true);
    assert.equal(windowsOverlap("23:30-00:30", "mon:00:00-mon:01:00"), true, "across midnight");
    assert.equal(windowsOverlap("01:00-02:00", "sat:23:00-sun:01:30"), true, "across the week boundary");
  });

  it("lists Redis member ids as ElastiCache names them, with and without cluster mode", () => {
    const base = {
      engine: "redis" as const,
      nodeType: "cache.t4g.small",
      snapshotRetentionDays: 1,
      snapshotWindow: "04:00-05:00",
      maintenanceWindow: "sun:05:00-sun:06:00",
      retiredEpoch: { admin: 0, app: 0 },
      applyImmediately: false,
    };
    assert.deepEqual(redisMemberIds("g", { ...base, replicaCount: 2, clusterMode: false, shards: 1 }), [
      "g-001",
      "g-002",
      "g-003",
    ]);
    assert.deepEqual(redisMemberIds("g", { ...base, replicaCount: 1, clusterMode: true, shards: 2 }), [
      "g-0001-001",
      "g-0001-002",
      "g-0002-001",
      "g-0002-002",
    ]);
    assert.ok(redisParameters(true).some((p) => p.name === "cluster-enabled"));
    assert.ok(!redisParameters(false).some((p) => p.name === "cluster-enabled"));
  });

  it("raises RDS replica-lag alarms only for replicas, Redis lag on every node (roles swap on failover)", () => {
    const cfg = validateConfig(stackConfig("Pulumi.prod.yaml"), PROJECT, "prod");
    if (cfg.platform !== "aws") throw new Error("expected aws");
    const redisMembers = [
      { key: "redis-1", id: "g-001" },
      { key: "redis-2", id: "g-002" },
    ];
    const alarms = databaseAlarms(cfg.postgres, { primary: "p", replicas: ["r1"], redisMembers });
    assert.deepEqual(
      alarms.filter((a) => a.metric === "ReplicaLag").map((a) => a.dimensions.DBInstanceIdentifier),
      ["r1"],
    );
    const lag = alarms.filter((a) => a.metric === "ReplicationLag");
    assert.deepEqual(
      lag.map((a) => a.dimensions.CacheClusterId),
      ["g-001", "g-002"],
      "the node that is primary today is tomorrow's replica",
    );
    for (const a of [...lag, ...alarms.filter((a) => a.metric === "ReplicaLag")])
      assert.equal(a.missingData, "notBreaching", `${a.key}: a primary reports no lag`);
    for (const a of alarms) assert.notEqual(a.missingData, "breaching" as never, a.key);
    for (const metric of ["EngineCPUUtilization", "FreeableMemory", "CurrConnections"])
      assert.deepEqual(
        alarms.filter((a) => a.namespace === "AWS/ElastiCache" && a.metric === metric).length,
        2,
        metric,
      );
    assert.equal(
      alarms.find((a) => a.metric === "DatabaseConnections")!.threshold,
      320,
      "80 % of max_connections 400",
    );
    // Below storage autoscaling's trigger (10 % of the current allocation, >= 10 % of the initial
    // one).
    assert.equal(alarms.find((a) => a.metric === "FreeStorageSpace")!.threshold, 200 * 1024 ** 3 * 0.05);
  });

  it("alternates password slots so each rotation regenerates exactly one", () => {
    let previous = slotGenerations(0);
    for (let epoch = 1; epoch <= 6; epoch++) {
      const next = slotGenerations(epoch);
      const changed = (["a", "b"] as const).filter((slot) => next[slot] !== previous[slot]);
      assert.deepEqual(changed, [next.current], `epoch ${epoch}`);
      previous = next;
    }
  });

  it("writes a key policy for the account and the services that encrypt with the key", () => {
    const policy = JSON.parse(
      keyPolicy({ partition: "aws", accountId: "123456789012", region: "eu-west-1" }),
    );
    const byId = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
    assert.equal(byId.AccountAdministers.Principal.AWS, "arn:aws:iam::123456789012:root");
    assert.equal(byId.CloudWatchLogs.Principal.Service, "logs.eu-west-1.amazonaws.com");
    assert.ok(
      byId.ServicesUseViaGrants.Condition.StringEquals["kms:ViaService"].includes(
        "backup.eu-west-1.amazonaws.com",
      ),
    );
  });
});
