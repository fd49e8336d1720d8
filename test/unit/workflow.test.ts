// The GitHub workflow we ship for users cannot run here; these checks hold it to what GitHub and the actions
// do.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CLI_VERSION, ROOT } from "../../testbed/engine/cli";

const workflow = parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "database.yml"), "utf8"));
const jobs: Record<string, any> = workflow.jobs;
const uses = (job: any, action: string) =>
  job.steps.find((s: any) => String(s.uses).startsWith(`${action}@`));
/** A job's permissions: its own block replaces the workflow's entirely (GitHub does not merge them). */
const permissionsOf = (job: any) => job.permissions ?? workflow.permissions ?? {};

describe("GitHub workflow for users (.github/workflows/database.yml)", () => {
  it("tests every pull request with the same commands as CI, with a new-enough Pulumi CLI for the engine tests", () => {
    assert.ok(workflow.on.pull_request && workflow.on.push.branches.includes("main"));
    const runs = jobs.test.steps.map((s: any) => s.run).filter(Boolean);
    assert.deepEqual(runs.slice(-2), ["npm ci", "npm test"]);
    assert.equal(uses(jobs.test, "pulumi/actions").with["pulumi-version"], CLI_VERSION);
  });

  it("every job that assumes an AWS role may request an OIDC token; the PR comment may write to the PR", () => {
    for (const [name, job] of Object.entries(jobs)) {
      if (uses(job, "aws-actions/configure-aws-credentials"))
        assert.equal(permissionsOf(job)["id-token"], "write", `${name}: id-token: write`);
      const pulumi = uses(job, "pulumi/actions");
      if (pulumi?.with?.["comment-on-pr"]) assert.equal(permissionsOf(job)["pull-requests"], "write", name);
      assert.equal(permissionsOf(job).contents, "read", `${name}: contents: read`);
    }
  });

  it("previews only stacks that have a stack file, with their policy config, and downloads nothing", () => {
    for (const stack of jobs.preview.strategy.matrix.stack) {
      assert.ok(fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)), `Pulumi.${stack}.yaml exists`);
      assert.ok(
        fs.existsSync(path.join(ROOT, "policy", "config", `${stack}.json`)),
        `policy/config/${stack}.json`,
      );
    }
    const action = uses(jobs.preview, "pulumi/actions");
    assert.deepEqual(
      [action.with.command, action.with.policyPacks, action.with.policyPackConfigs],
      ["preview", "policy", "policy/config/${{ matrix.stack }}.json"],
    );
    for (const job of Object.values(jobs))
      for (const step of job.steps) assert.doesNotMatch(String(step.run ?? ""), /\b(curl|wget)\b/);
  });

  it("deploys prod only from main, behind the production environment, on a self-hosted runner in the VPC", () => {
    const deploy = jobs["deploy-prod"];
    assert.equal(deploy.environment, "production");
    assert.match(deploy.if, /refs\/heads\/main/);
    assert.ok(deploy.needs.includes("test"));
    assert.ok(deploy["runs-on"].includes("self-hosted"));
    const up = uses(deploy, "pulumi/actions");
    assert.deepEqual(
      [up.with.command, up.with["stack-name"], up.with.policyPackConfigs],
      ["up", "prod", "policy/config/prod.json"],
    );
  });
});
