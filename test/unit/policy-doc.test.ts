import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policy/policies";
import { renderPolicyTable, withGeneratedPolicyTable, TABLE_END, TABLE_START } from "../../policy/reference";
import { generatedFiles, policyConfigs } from "../../tools/generate-docs";
import { ROOT } from "../../testbed/stack";

const rowsOf = (table: string) =>
  table
    .split("\n")
    .slice(2)
    .map((row) => row.split(" | ").map((c) => c.replace(/^\| |\s+\|?$/g, "").trim()));

describe("docs/policy.md's rule table (generated from the pack)", () => {
  it("is what the pack and policy/config/*.json render (run npm run docs:generate)", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs/policy.md"), "utf8");
    assert.equal(doc, generatedFiles()["docs/policy.md"], "run npm run docs:generate");
  });

  it("has one row per policy the pack runs, in the pack's order, with each environment's level", () => {
    const rows = rowsOf(renderPolicyTable(policies, policyConfigs()));
    assert.deepEqual(
      rows.map((r) => r[0]),
      policies.map((p) => `\`${p.name}\``),
    );
    const retention = rows.find((r) => r[0] === "`rds-backup-retention`");
    assert.deepEqual(retention?.slice(2), [
      "mandatory (minimumDays: 7)",
      "mandatory (minimumDays: 7)",
      "mandatory (minimumDays: 14)",
    ]);
    assert.deepEqual(rows.find((r) => r[0] === "`rds-multi-az`")?.slice(2), [
      "advisory",
      "advisory",
      "mandatory",
    ]);
  });

  it("a rule added to the pack appears in the table (so the doc test fails until it is regenerated)", () => {
    const added: ResourceValidationPolicy = {
      name: "added-rule",
      description: "Something | with a pipe.",
      enforcementLevel: "mandatory",
      validateResource: () => undefined,
    };
    const rows = rowsOf(renderPolicyTable([...policies, added], { dev: { all: "mandatory" }, qa: {} }));
    assert.deepEqual(rows[rows.length - 1], [
      "`added-rule`",
      "Something \\| with a pipe.",
      "mandatory",
      "mandatory",
    ]);
  });

  it("keeps the prose around the markers and refuses a doc without them", () => {
    const doc = `intro\n${TABLE_START}\nold\n${TABLE_END}\noutro\n`;
    assert.equal(withGeneratedPolicyTable(doc, "T"), `intro\n${TABLE_START}\n\nT\n\n${TABLE_END}\noutro\n`);
    assert.throws(() => withGeneratedPolicyTable("no markers", "T"), /missing the markers/);
  });
});
