// The pack as a whole, offline: a case for every rule, asynchronous validators, and levels from the
// environment's policy config file.
import { strict as assert } from "node:assert";
import { evaluatePolicies } from "../../policy/offline";
import { policies } from "../../policy/policies";
import { dockerCases, elasticacheCases, rdsCases } from "../support/policy-cases";
import { awsCases } from "../support/policy-cases-aws";
import { R, configOf, primary, run } from "../support/policy-fixtures";

const cases = [...rdsCases, ...elasticacheCases, ...dockerCases, ...awsCases];

describe("policy pack (offline CrossGuard evaluation)", function () {
  it(`has a case for each of its ${policies.length} policies, all with kebab-case names`, () => {
    assert.deepEqual(cases.map(([name]) => name).sort(), policies.map((p) => p.name).sort());
    for (const p of policies) assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("awaits asynchronous validators (resource and stack) and keeps their violations", async () => {
    const later = () => new Promise((r) => setTimeout(r, 5));
    const asyncPolicies = [
      {
        name: "async-resource",
        description: "",
        enforcementLevel: "mandatory",
        validateResource: async (_args: unknown, report: (m: string) => void) => {
          await later();
          report("late resource violation");
        },
      },
      {
        name: "async-stack",
        description: "",
        enforcementLevel: "mandatory",
        validateStack: async (_args: unknown, report: (m: string) => void) => {
          await later();
          report("late stack violation");
        },
      },
    ] as unknown as typeof policies;
    const violations = await evaluatePolicies(
      asyncPolicies,
      [R("aws:rds/instance:Instance", "db", primary)],
      {
        stack: "test",
        project: "offthegrid-database",
        config: { all: "mandatory" },
      },
    );
    assert.deepEqual(
      violations.map((v) => v.message),
      ["late resource violation", "late stack violation"],
    );
  });

  it("takes enforcement levels and properties from the environment's policy config file", async () => {
    const relaxed = R("aws:rds/instance:Instance", "db", {
      ...primary,
      multiAz: false,
      backupRetentionPeriod: 10,
    });
    const rds = (violations: Awaited<ReturnType<typeof run>>) =>
      violations.filter((v) => v.policy.startsWith("rds-"));
    const staging = rds(await run([relaxed], configOf("staging")));
    assert.deepEqual(
      staging.map((v) => [v.policy, v.level]),
      [["rds-multi-az", "advisory"]],
    );
    const prod = rds(await run([relaxed], configOf("prod")));
    assert.deepEqual(prod.map((v) => [v.policy, v.level]).sort(), [
      ["rds-backup-retention", "mandatory"],
      ["rds-multi-az", "mandatory"],
    ]);
    assert.deepEqual(await run([relaxed], { all: "disabled" }), []);
  });
});
