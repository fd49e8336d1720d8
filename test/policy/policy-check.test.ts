// npm run policy:check checks any stack file (a per-developer dev stack too), with its environment's config.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkStack, stackFile } from "../../testbed/policy-check";
import { ROOT } from "../../testbed/stack";

describe("policy:check on any stack file", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-policy-check-"));
    // What `pulumi stack init alice` + `pulumi config set postgresHostPort 15432` leave in a checkout.
    const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "Pulumi.alice.yaml"),
      `${dev.trimEnd()}\n  offthegrid-database:postgresHostPort: "15432"\n  offthegrid-database:redisHostPort: "16379"\n`,
    );
    fs.writeFileSync(path.join(dir, "Pulumi.noenv.yaml"), "config:\n  offthegrid-database:owner: me\n");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("finds Pulumi.<stack>.yaml and picks the policy config of its environment", () => {
    const alice = stackFile("alice", [dir]);
    assert.equal(alice.file, path.join(dir, "Pulumi.alice.yaml"));
    assert.equal(alice.environment, "dev");
    assert.equal(stackFile("staging").file, path.join(ROOT, "examples", "Pulumi.staging.yaml"));
    assert.equal(stackFile("prod").environment, "prod");
  });

  it("refuses a missing stack file or environment with the file and the allowed values", () => {
    assert.throws(
      () => stackFile("bob", [dir]),
      /No stack file for stack "bob": looked for .*Pulumi\.bob\.yaml/,
    );
    assert.throws(
      () => stackFile("noenv", [dir]),
      /Pulumi\.noenv\.yaml: offthegrid-database:environment is undefined; the policy pack has configs for: .*dev/,
    );
    assert.throws(() => stackFile("../dev"), /Invalid stack name/);
  });

  it("evaluates a per-developer stack as dev: the same rules over the same resources", async () => {
    const alice = await checkStack("alice", {}, stackFile("alice", [dir]));
    const dev = await checkStack("dev");
    const key = (v: { policy: string; level: string; resource?: { name: string } }) =>
      `${v.level} ${v.policy} ${v.resource?.name ?? ""}`;
    assert.deepEqual(alice.map(key), dev.map(key));
    assert.deepEqual(
      alice.filter((v) => v.level === "mandatory"),
      [],
    );
  });

  it("the CLI exits 2 naming the stack file it looked for", () => {
    const run = spawnSync(
      process.execPath,
      ["-r", "./tools/ts-register.cjs", "testbed/policy-check.ts", "--stack", "nobody"],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.equal(run.status, 2, run.stderr);
    assert.match(
      run.stderr,
      /No stack file for stack "nobody": looked for Pulumi\.nobody\.yaml, examples\/Pulumi\.nobody\.yaml/,
    );
  });
});
