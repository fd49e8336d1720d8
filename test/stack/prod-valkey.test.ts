// Valkey as the ElastiCache engine, through the prod stack under mocks. Failed before: the
// engine, version and parameter-group family were fixed to Redis OSS 7.1 / redis7.
import { strict as assert } from "node:assert";
import { checkStack } from "../../testbed/policy-check";
import { plain } from "../../testbed/mocks";
import { StackRun, ofType } from "../../testbed/stack";
import { redisParameters } from "../../stack/redis/elasticache";
import { T, prodStack } from "../support/prod-stack";

describe("prod stack: ElastiCache engine", function () {
  let valkey: StackRun;
  let redis: StackRun;
  before(async () => {
    valkey = await prodStack({ redisEngine: "valkey" });
    redis = await prodStack();
  });

  const group = (run: StackRun) => plain(ofType(run, T.replicationGroup)[0].inputs);
  const params = (run: StackRun) => plain(ofType(run, T.cacheParams)[0].inputs);

  it("valkey: Valkey 8.0 with a valkey8 parameter group carrying the same settings", () => {
    assert.deepEqual([group(valkey).engine, group(valkey).engineVersion], ["valkey", "8.0"]);
    assert.equal(params(valkey).family, "valkey8");
    assert.deepEqual(params(valkey).parameters, redisParameters(false));
    assert.equal(group(valkey).parameterGroupName, ofType(valkey, T.cacheParams)[0].name);
    assert.deepEqual(
      [group(valkey).transitEncryptionEnabled, group(valkey).atRestEncryptionEnabled],
      [true, true],
    );
  });

  it("redis (the default) stays Redis OSS 7.1 / redis7; the RBAC users and group stay engine redis either way", () => {
    assert.deepEqual(
      [group(redis).engine, group(redis).engineVersion, params(redis).family],
      ["redis", "7.1", "redis7"],
    );
    for (const run of [valkey, redis]) {
      const engines = [...ofType(run, T.cacheUser), ...ofType(run, T.userGroup)].map(
        (r) => plain(r.inputs).engine,
      );
      assert.deepEqual(new Set(engines), new Set(["redis"]));
    }
  });

  it("passes the policy pack (a Valkey cluster accepts a user group of engine redis)", async () => {
    assert.deepEqual(
      (await checkStack("prod", { redisEngine: "valkey" })).filter((v) => v.level === "mandatory"),
      [],
    );
  });
});
