import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { isSecretValue, plain } from "../../testbed/mocks";
import { StackRun, ofType, runStack, stackConfig } from "../../testbed/stack";
import { FORCE_NEW } from "../../testbed/standins/aws-force-new";
import { CA, T, primaryOf, prodStack, replicasOf } from "../support/prod-stack";
import { DEFAULT_APP_KEY_PATTERNS, DEFAULT_CACHE_KEY_PATTERNS } from "../../stack/redis/key-patterns";

/** ForceNew properties per type (one table, shared with the stand-in aws plugin the engine tests run). */
const REPLACING = FORCE_NEW;

describe("prod stack under mocks (Pulumi.prod.yaml)", function () {
  let run: StackRun;
  before(async () => {
    run = await prodStack();
  });

  it("runs a Multi-AZ, encrypted, private PostgreSQL 17 primary with backups, PITR and deletion protection", () => {
    const p = plain(primaryOf(run).inputs);
    assert.equal(p.engine, "postgres");
    assert.equal(p.engineVersion, "17", "major version only");
    assert.equal(p.identifier, "offthegrid-prod");
    assert.equal(p.instanceClass, "db.r6g.large");
    assert.equal(p.multiAz, true);
    assert.equal(p.storageEncrypted, true);
    assert.match(p.kmsKeyId, /^arn:aws:mock/);
    assert.equal(p.publiclyAccessible, false);
    assert.equal(p.storageType, "gp3");
    assert.deepEqual([p.allocatedStorage, p.maxAllocatedStorage], [200, 2000]);
    assert.equal(p.autoMinorVersionUpgrade, true);
    assert.equal(
      p.allowMajorVersionUpgrade,
      false,
      "no blue/green in prod (proxy and replicas): no in-place major upgrade",
    );
    assert.deepEqual(p.blueGreenUpdate, { enabled: false });
    assert.equal(p.databaseInsightsMode, "standard");
    assert.deepEqual(
      [p.backupRetentionPeriod, p.backupWindow, p.maintenanceWindow],
      [14, "02:00-02:30", "sun:03:00-sun:04:00"],
    );
    assert.equal(p.deletionProtection, true);
    assert.equal(p.copyTagsToSnapshot, true);
    assert.equal(p.skipFinalSnapshot, false);
    assert.match(
      p.finalSnapshotIdentifier,
      /^offthegrid-prod-final-[0-9a-z-]+$/,
      "unique per replacement (random suffix)",
    );
    assert.equal(p.performanceInsightsEnabled, true);
    assert.equal(p.performanceInsightsKmsKeyId, p.kmsKeyId);
    assert.equal(p.performanceInsightsRetentionPeriod, 31);
    assert.equal(p.monitoringInterval, 60);
    assert.ok(p.monitoringRoleArn);
    assert.deepEqual(p.enabledCloudwatchLogsExports, ["postgresql", "upgrade"]);
    assert.equal(p.caCertIdentifier, "rds-ca-rsa2048-g1");
    assert.equal(p.iamDatabaseAuthenticationEnabled, false);
    assert.ok(p.dbSubnetGroupName && p.parameterGroupName);
    assert.equal(p.username, "postgres");
    assert.equal(p.password, undefined, "write-only passwordWo instead (kept out of the instance's outputs)");
    assert.ok(isSecretValue(primaryOf(run).inputs.passwordWo), "passwordWo is a secret input");
    assert.equal(p.passwordWoVersion, 1, "rotation epoch 0 + 1 (0 reads as unset)");
    assert.equal(p.manageMasterUserPassword, undefined, "RDS-managed passwords do not work with replicas");
    assert.equal(p.engineLifecycleSupport, "open-source-rds-extended-support-disabled");
  });

  it("creates the RDS log groups first, with retention and KMS", () => {
    const names = ofType(run, T.logGroup).map((l) => l.inputs.name);
    for (const id of ["offthegrid-prod", "offthegrid-prod-replica-1", "offthegrid-prod-replica-2"]) {
      assert.ok(names.includes(`/aws/rds/instance/${id}/postgresql`), id);
    }
    for (const l of ofType(run, T.logGroup)) {
      assert.equal(l.inputs.retentionInDays, 90);
      assert.ok(l.inputs.kmsKeyId);
    }
  });

  it("tunes an auto-named postgres17 parameter group with RDS formulas, reboot-only statics and force_ssl", () => {
    const [group] = ofType(run, T.paramGroup);
    assert.equal(group.inputs.family, "postgres17");
    assert.equal(group.inputs.name, undefined, "auto-named, so a family change can create before delete");
    const params = Object.fromEntries(group.inputs.parameters.map((p: any) => [p.name, p]));
    assert.equal(params.shared_buffers.value, "{DBInstanceClassMemory/32768}");
    for (const name of ["shared_buffers", "max_connections", "shared_preload_libraries"])
      assert.equal(params[name].applyMethod, "pending-reboot", name);
    assert.equal(params.max_connections.value, "400");
    assert.equal(params["rds.force_ssl"].value, "1");
    assert.equal(params.log_min_duration_statement.value, "1000");
    assert.equal(params.password_encryption.value, "scram-sha-256");
    assert.equal(params.shared_preload_libraries.value, "pg_stat_statements");
    assert.ok(Number(params.work_mem.value) >= 4096);
  });

  it("adds read replicas per config in the other AZs, encrypted, with the same parameter group", async () => {
    const primary = plain(primaryOf(run).inputs);
    const replicas = replicasOf(run).map((r) => plain(r.inputs));
    assert.equal(replicas.length, 2);
    for (const r of replicas) {
      assert.equal(r.replicateSourceDb, "offthegrid-prod");
      // A same-region replica inherits encryption and key from its source; AWS rejects an explicit key.
      assert.equal(r.storageEncrypted, undefined);
      assert.equal(r.kmsKeyId, undefined);
      assert.equal(r.maxAllocatedStorage, primary.maxAllocatedStorage, "replicas autoscale like the primary");
      assert.equal(r.parameterGroupName, primary.parameterGroupName);
      assert.equal(r.publiclyAccessible, false);
      assert.equal(r.deletionProtection, true);
      assert.equal(r.password ?? r.passwordWo, undefined, "replicas inherit the master password");
      assert.equal(
        r.engineLifecycleSupport,
        undefined,
        "replicas inherit lifecycle support from their source",
      );
    }
    assert.deepEqual(
      replicas.map((r) => r.availabilityZone),
      ["eu-west-1b", "eu-west-1c"],
    );
    assert.equal(replicasOf(await prodStack({ postgresReplicaCount: "0" })).length, 0);
    assert.equal(replicasOf(await prodStack({ postgresReplicaCount: "5" })).length, 5);
    assert.equal(run.outputs.postgresUrls.readers.length, 2);
  });

  it("runs ElastiCache Redis 7 with TLS, encryption at rest, failover, Multi-AZ, snapshots and slow logs", () => {
    const [rg] = ofType(run, T.replicationGroup).map((r) => plain(r.inputs));
    assert.equal(rg.engine, "redis");
    assert.equal(rg.engineVersion, "7.1");
    assert.equal(rg.transitEncryptionEnabled, true);
    assert.equal(rg.transitEncryptionMode, "required");
    assert.equal(rg.atRestEncryptionEnabled, true);
    assert.ok(rg.kmsKeyId);
    assert.equal(rg.automaticFailoverEnabled, true);
    assert.equal(rg.multiAzEnabled, true);
    assert.equal(rg.numCacheClusters, 3);
    assert.equal(rg.clusterMode, "disabled");
    assert.equal(rg.authToken, undefined, "RBAC user group, not a shared auth token");
    assert.equal(rg.userGroupIds.length, 1);
    assert.deepEqual([rg.snapshotRetentionLimit, rg.snapshotWindow], [7, "04:00-05:00"]);
    assert.match(rg.finalSnapshotIdentifier, /^offthegrid-prod-final-/);
    assert.deepEqual(
      rg.logDeliveryConfigurations.map((l: any) => [l.logType, l.destinationType]),
      [
        ["slow-log", "cloudwatch-logs"],
        ["engine-log", "cloudwatch-logs"],
      ],
    );
    assert.equal(rg.applyImmediately, false, "node-type changes wait for the maintenance window");
    assert.ok(rg.notificationTopicArn, "ElastiCache notifications go to a topic");
    const [params] = ofType(run, T.cacheParams);
    assert.equal(params.inputs.family, "redis7");
    const p = Object.fromEntries(params.inputs.parameters.map((x: any) => [x.name, x.value]));
    assert.equal(p["maxmemory-policy"], "noeviction");
    assert.equal(p["proto-max-bulk-len"], "1048576");
    assert.equal(p["client-query-buffer-limit"], "2097152");
    assert.equal(p["client-output-buffer-limit-normal-hard-limit"], "8388608");
    assert.equal(p["client-output-buffer-limit-normal-soft-limit"], "2097152");
    assert.equal(p["client-output-buffer-limit-normal-soft-seconds"], "10");
    assert.equal(p.timeout, "300");
    assert.ok(!("maxmemory-clients" in p), "ElastiCache's redis7 family has no maxmemory-clients");
    assert.equal(p["hash-max-listpack-entries"], "512");
  });

  it("controls Redis access with RBAC: default user off, admin, and an app user per store confined to its families", () => {
    const users = Object.fromEntries(ofType(run, T.cacheUser).map((u) => [u.inputs.userId, plain(u.inputs)]));
    assert.deepEqual(Object.keys(users).sort(), [
      "offthegrid-prod-admin",
      "offthegrid-prod-app",
      "offthegrid-prod-cache-app",
      "offthegrid-prod-default",
    ]);
    assert.match(users["offthegrid-prod-default"].accessString, /^off /);
    assert.match(users["offthegrid-prod-admin"].accessString, /^on ~\* &\* \+@all$/);
    const families = (id: string) =>
      (users[id].accessString as string)
        .split(" ")
        .filter((r) => r.startsWith("~"))
        .map((r) => r.slice(1));
    assert.deepEqual(families("offthegrid-prod-app"), [...DEFAULT_APP_KEY_PATTERNS]);
    assert.deepEqual(families("offthegrid-prod-cache-app"), [...DEFAULT_CACHE_KEY_PATTERNS]);
    for (const id of ["offthegrid-prod-app", "offthegrid-prod-cache-app"]) {
      const app = users[id];
      assert.equal(app.userName, "app");
      assert.ok(!/\+@all|\+flushall|\+keys\b|\+config/.test(app.accessString));
      // One credential set: the cache's app user has the state's app passwords.
      assert.deepEqual(app.authenticationMode, users["offthegrid-prod-app"].authenticationMode);
    }
    // The cache group joins the state group's default and admin users; only its app user is its own.
    const groups = Object.fromEntries(
      ofType(run, T.userGroup).map((g) => [g.inputs.userGroupId, plain(g.inputs).userIds]),
    );
    assert.deepEqual(groups, {
      "offthegrid-prod-users": ["offthegrid-prod-default", "offthegrid-prod-admin", "offthegrid-prod-app"],
      "offthegrid-prod-cache-users": [
        "offthegrid-prod-default",
        "offthegrid-prod-admin",
        "offthegrid-prod-cache-app",
      ],
    });
  });

  it("runs the cache store as a second replication group: allkeys-lru, its own node type, the state group's settings", async () => {
    const groups = ofType(run, T.replicationGroup).map((r) => plain(r.inputs));
    assert.deepEqual(
      groups.map((g) => g.replicationGroupId),
      ["offthegrid-prod", "offthegrid-prod-cache"],
    );
    const [state, cache] = groups;
    assert.equal(cache.nodeType, "cache.t4g.medium");
    assert.equal(state.nodeType, "cache.r7g.large");
    assert.deepEqual(cache.userGroupIds, ["offthegrid-prod-cache-users"]);
    assert.match(cache.finalSnapshotIdentifier, /^offthegrid-prod-cache-final-/);
    assert.match(cache.description, /cache.*allkeys-lru/);
    // Everything else as the state group: TLS, KMS, failover, snapshots, windows, subnets, security groups.
    const differing = Object.keys(state).filter((k) => JSON.stringify(state[k]) !== JSON.stringify(cache[k]));
    assert.deepEqual(differing.sort(), [
      "description",
      "finalSnapshotIdentifier",
      "logDeliveryConfigurations",
      "nodeType",
      "parameterGroupName",
      "replicationGroupId",
      "userGroupIds",
    ]);
    const params = ofType(run, T.cacheParams).map((g) =>
      Object.fromEntries(g.inputs.parameters.map((x: any) => [x.name, x.value])),
    );
    assert.equal(params.length, 2);
    assert.equal(params[0]["maxmemory-policy"], "noeviction");
    assert.equal(params[1]["maxmemory-policy"], "allkeys-lru");
    // The same client bounds and listpack limits on both.
    const { "maxmemory-policy": _s, ...stateRest } = params[0];
    const { "maxmemory-policy": _c, ...cacheRest } = params[1];
    assert.deepEqual(cacheRest, stateRest);
    // (The secrets' host and cacheHost cannot be seen here: the generic mock has no primaryEndpointAddress.)
    // redisCacheNodeType sizes the cache alone.
    const sized = await prodStack({ redisCacheNodeType: "cache.r7g.xlarge" });
    assert.deepEqual(
      ofType(sized, T.replicationGroup).map((r) => r.inputs.nodeType),
      ["cache.r7g.large", "cache.r7g.xlarge"],
    );
  });

  it("switches to cluster mode by config and exports the configuration endpoint", async () => {
    const clustered = await prodStack({ redisClusterMode: "true", redisShards: "3", redisReplicaCount: "1" });
    const [rg] = ofType(clustered, T.replicationGroup).map((r) => plain(r.inputs));
    assert.deepEqual(
      [rg.clusterMode, rg.numNodeGroups, rg.replicasPerNodeGroup, rg.numCacheClusters],
      ["enabled", 3, 1, undefined],
    );
    const params = ofType(clustered, T.cacheParams)[0].inputs.parameters.map(
      (p: any) => `${p.name}=${p.value}`,
    );
    assert.ok(params.includes("cluster-enabled=yes"));
    // (Which endpoint the outputs carry cannot be seen here: the generic mock has no
    // configurationEndpointAddress.)
  });

  it("stores one KMS-encrypted secret per Postgres role and Redis user, in the shape AWS rotation expects", () => {
    const names = ofType(run, T.secret)
      .map((s) => s.inputs.name)
      .sort();
    assert.deepEqual(names, [
      "offthegrid-prod/postgres/admin",
      "offthegrid-prod/postgres/app",
      "offthegrid-prod/postgres/app-a",
      "offthegrid-prod/postgres/app-b",
      "offthegrid-prod/postgres/owner",
      "offthegrid-prod/postgres/readonly",
      "offthegrid-prod/redis/admin",
      "offthegrid-prod/redis/app",
    ]);
    for (const s of ofType(run, T.secret)) assert.ok(s.inputs.kmsKeyId);
    const app = ofType(run, T.secretVersion)
      .map((v) => JSON.parse(plain(v.inputs).secretString))
      .find((v) => v.username === "offthegrid_app_b");
    assert.deepEqual(Object.keys(app).sort(), ["dbname", "engine", "host", "password", "port", "username"]);
    assert.equal(app.engine, "postgres");
  });

  it("puts an RDS Proxy with TLS required in front of the primary and gives the app its endpoint", () => {
    const [proxy] = ofType(run, T.proxy).map((p) => plain(p.inputs));
    assert.equal(proxy.requireTls, true);
    assert.equal(proxy.engineFamily, "POSTGRESQL");
    const appUrl = new URL(run.outputs.postgresUrls.app);
    const ownerUrl = new URL(run.outputs.postgresUrls.owner);
    assert.notEqual(
      appUrl.hostname,
      ownerUrl.hostname,
      "the app goes through the proxy, the owner straight to the primary",
    );
    assert.equal(appUrl.searchParams.get("sslmode"), "verify-full");
  });

  it("secrets carry each schema role's current member; the proxy authenticates both app members, and a rotation rewrites only the new current one", async () => {
    const rotated = await prodStack({ postgresAppPasswordEpoch: "1" });
    const secretValues = (r: StackRun) =>
      Object.fromEntries(
        ofType(r, T.secretVersion).map((v) => [
          v.name.replace(/^aws-secrets-/, ""),
          plain(v.inputs).secretString,
        ]),
      );
    const [before, after] = [secretValues(run), secretValues(rotated)];
    const login = (json: string) => {
      const v = JSON.parse(json);
      return `${v.username}:${v.password}`;
    };
    // Epoch 0 → slot b current; epoch 1 → slot a, whose password is the new one.
    for (const [r, slot] of [
      [run, "b"],
      [rotated, "a"],
    ] as const) {
      const values = secretValues(r);
      assert.equal(JSON.parse(values["postgres-app"]).username, `offthegrid_app_${slot}`);
      assert.equal(login(values["postgres-app"]), login(values[`postgres-app-${slot}`]));
      const url = new URL(r.outputs.postgresUrls.app);
      assert.equal(`${url.username}:${url.password}`, login(values["postgres-app"]));
      for (const role of ["owner", "readonly"])
        assert.equal(JSON.parse(values[`postgres-${role}`]).username, `offthegrid_${role}_b`);
    }
    assert.equal(
      after["postgres-app-b"],
      before["postgres-app-b"],
      "the previous member's secret is untouched",
    );
    assert.equal(JSON.parse(after["postgres-app-a"]).username, "offthegrid_app_a");
    for (const r of [run, rotated]) {
      const [proxy] = ofType(r, T.proxy).map((p) => plain(p.inputs));
      assert.deepEqual(
        proxy.auths.map((a: any) => a.secretArn),
        [
          r.outputs.awsResources.secretArns["postgres/app-a"],
          r.outputs.awsResources.secretArns["postgres/app-b"],
        ],
      );
      assert.ok(proxy.auths.every((a: any) => a.clientPasswordAuthType === "POSTGRES_SCRAM_SHA_256"));
    }
  });

  it("backs up to an AWS Backup vault daily with lifecycle, copies to a vault in the second region, locks vaults", () => {
    const vaults = ofType(run, T.vault);
    assert.equal(vaults.length, 2);
    assert.deepEqual(ofType(run, T.provider), [], "no second provider: copy-region resources set `region`");
    const copyVault = vaults.find((v) => v.inputs.name === "offthegrid-prod-backups-copy")!;
    assert.equal(copyVault.inputs.region, "eu-central-1", "the copy vault lives in the copy region");
    const [plan] = ofType(run, T.plan).map((p) => plain(p.inputs));
    const rule = plan.rules[0];
    assert.equal(rule.lifecycle.deleteAfter, 35);
    assert.equal(rule.copyActions.length, 1);
    assert.match(rule.copyActions[0].destinationVaultArn, /offthegrid-prod-backups-copy|copy-vault/);
    assert.equal(rule.schedule, "cron(0 5 * * ? *)", "backupStartTime 05:00, clear of RDS windows");
    const [selection] = ofType(run, T.selection).map((s) => plain(s.inputs));
    assert.deepEqual(selection.resources.length, 1);
    assert.equal(ofType(run, T.vaultLock).length, 2);
    const keys = ofType(run, T.key);
    assert.equal(keys.length, 3, "data key, copy-region key, alarm key");
    for (const k of keys) assert.equal(k.inputs.enableKeyRotation, true);
  });

  it("raises alarms into an encrypted SNS topic with an email subscription", () => {
    const metrics = new Set(ofType(run, T.alarm).map((a) => a.inputs.metricName));
    for (const m of [
      "CPUUtilization",
      "FreeStorageSpace",
      "FreeableMemory",
      "DatabaseConnections",
      "ReplicaLag",
      "DatabaseMemoryUsagePercentage",
      "Evictions",
      "ReplicationLag",
    ])
      assert.ok(metrics.has(m), m);
    const topic = ofType(run, T.topic).find((t) => t.inputs.kmsMasterKeyId)!;
    assert.ok(topic, "the alarm topic is encrypted");
    const subs = ofType(run, T.subscription).map((s) => [s.inputs.protocol, s.inputs.endpoint]);
    assert.ok(subs.length >= 1);
    for (const sub of subs) assert.deepEqual(sub, ["email", "oncall@offthegrid.example.com"]);
    const policy = JSON.parse(ofType(run, T.key)[0].inputs.policy);
    const sids = policy.Statement.map((s: any) => s.Sid);
    assert.ok(sids.includes("CloudWatchLogs"));
  });

  it("opens only 5432 / 6379, only to the configured sources, never to the world", () => {
    for (const sg of ofType(run, T.sg)) {
      for (const rule of plain(sg.inputs).ingress ?? []) {
        assert.ok(
          [5432, 6379].includes(rule.fromPort) && rule.fromPort === rule.toPort,
          `${sg.name}: port ${rule.fromPort}`,
        );
        for (const cidr of [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])])
          assert.ok(!["0.0.0.0/0", "::/0"].includes(cidr));
      }
    }
    for (const i of ofType(run, T.instance)) assert.equal(i.inputs.publiclyAccessible, false);
  });

  it("tags every taggable AWS resource with Project, Environment and Owner", () => {
    const untaggable =
      /rolePolicyAttachment|kms\/alias|secretVersion|vaultLockConfiguration|backup\/selection|topicSubscription|proxyDefaultTargetGroup|proxyTarget|iam\/rolePolicy:|pulumi:providers|instanceAutomatedBackupsReplication/;
    const aws = run.resources.filter((r) => r.type.startsWith("aws:") && !untaggable.test(r.type));
    assert.ok(aws.length > 30);
    for (const r of aws) {
      const tags = plain(r.inputs).tags;
      assert.deepEqual(
        [tags?.Project, tags?.Environment, tags?.Owner],
        ["offthegrid-database", "prod", "platform-team"],
        `${r.type} ${r.name}`,
      );
    }
  });

  it("exports URLs only inside wholly secret outputs, and no superuser URL", async () => {
    const { postgresUrls, redisUrls } = run.exports;
    for (const o of [postgresUrls, redisUrls]) assert.equal(await pulumi.isSecret(o), true);
    assert.deepEqual(Object.keys(run.outputs.postgresUrls).sort(), ["app", "owner", "readers", "readonly"]);
    assert.equal(run.outputs.postgres.roles.admin, undefined);
    assert.equal(new URL(run.outputs.redisUrls.app).protocol, "rediss:");
    assert.deepEqual(Object.keys(run.outputs.redisUrls).sort(), ["admin", "app", "cacheAdmin", "cacheApp"]);
    assert.equal(new URL(run.outputs.redisUrls.cacheApp).protocol, "rediss:");
    assert.equal(run.outputs.redis.cache.tls, true);
  });

  it("applies the schema over verify-full TLS against the primary, or through a configured tunnel", async () => {
    const schema = plain(run.resources.find((r) => r.type.includes("SchemaMigrations"))!.inputs);
    assert.equal(schema.connection.sslmode, "verify-full");
    assert.match(schema.connection.caCert, /BEGIN CERTIFICATE/);
    assert.equal(schema.admin.managePassword, false, "RDS owns the master password");
    const tunnel = await prodStack({ schemaEndpoint: "localhost:15432" });
    const via = plain(tunnel.resources.find((r) => r.type.includes("SchemaMigrations"))!.inputs).connection;
    assert.deepEqual([via.host, via.port], ["localhost", 15432]);
    assert.ok(via.tlsServerName, "the certificate is still checked against the RDS endpoint name");
  });

  for (const [credential, key] of [
    ["postgresAdmin", "postgresAdminPasswordEpoch"],
    ["postgresApp", "postgresAppPasswordEpoch"],
    ["redisApp", "redisAppPasswordEpoch"],
    ["redisAdmin", "redisAdminPasswordEpoch"],
  ]) {
    it(`rotating ${credential} changes only its password's keepers and no property that would replace a database or cache`, async () => {
      const rotated = await prodStack({ [key]: "1" });
      const keepers = (r: StackRun) =>
        Object.fromEntries(ofType(r, T.password).map((p) => [p.name, JSON.stringify(p.inputs.keepers)]));
      const [before, after] = [keepers(run), keepers(rotated)];
      const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
      assert.deepEqual(changed, [
        credential === "postgresAdmin" ? `credentials-${credential}` : `credentials-${credential}-a`,
      ]);
      for (const [type, props] of Object.entries(REPLACING)) {
        const pick = (r: StackRun) =>
          ofType(r, type)
            .map((x) =>
              Object.fromEntries([
                ["resource", x.name],
                ...props.map((p) => [p, JSON.stringify(plain(x.inputs)[p])]),
              ]),
            )
            .sort((a, b) => a.resource.localeCompare(b.resource));
        assert.deepEqual(pick(rotated), pick(run), type);
      }
    });
  }

  it("keeps a rotated Redis user's previous password valid until the epoch is retired", async () => {
    const passwordsOf = (r: StackRun) =>
      plain(ofType(r, T.cacheUser).find((u) => u.inputs.userName === "app")!.inputs).authenticationMode
        .passwords;
    assert.equal(passwordsOf(run).length, 1);
    const rotating = await prodStack({ redisAppPasswordEpoch: "1" });
    assert.equal(passwordsOf(rotating).length, 2, "new and previous both valid");
    const retired = await prodStack({ redisAppPasswordEpoch: "1", redisAppRetiredEpoch: "1" });
    assert.equal(passwordsOf(retired).length, 1);
    assert.equal(passwordsOf(retired)[0], passwordsOf(rotating)[0], "the current password stays");
  });

  it("builds a smaller staging stack from the example stack file alone", async () => {
    const staging = await runStack("staging", stackConfig("examples/Pulumi.staging.yaml", CA));
    const p = plain(primaryOf(staging).inputs);
    assert.deepEqual(
      [p.instanceClass, p.multiAz, p.backupRetentionPeriod, p.identifier],
      ["db.t4g.medium", false, 7, "offthegrid-staging"],
    );
    assert.equal(replicasOf(staging).length, 0);
    assert.equal(ofType(staging, T.proxy).length, 0);
    const [rg] = ofType(staging, T.replicationGroup).map((r) => plain(r.inputs));
    assert.deepEqual([rg.nodeType, rg.numCacheClusters, rg.multiAzEnabled], ["cache.t4g.small", 2, true]);
  });
});
