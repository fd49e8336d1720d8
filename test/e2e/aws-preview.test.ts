// prod and staging under the real CLI: every shipped stack file passes the CLI's own config validation,
// previews run with computed outputs unknown (the stand-in aws plugin, like the real one, knows nothing
// before create), and the real policy analyzer runs the pack and agrees with `npm run policy:check`.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkStack } from "../../testbed/policy-check";
import { ROOT } from "../../testbed/engine/cli";
import { EngineSession } from "../../testbed/engine/session";

const STACK_FILES: Record<string, string> = {
  dev: "Pulumi.dev.yaml",
  prod: "Pulumi.prod.yaml",
  staging: "examples/Pulumi.staging.yaml",
};

interface Reported {
  level: string;
  policy: string;
  resource: string;
}

/**
 * Policy violations in the CLI's report; "can't run … during preview" notes (unknown inputs) are left out.
 */
function violations(output: string): Reported[] {
  const found: Reported[] = [];
  const lines = output.split("\n");
  lines.forEach((line, i) => {
    const m =
      /^\s+- \[(mandatory|advisory|remediate)\]\s+([a-z0-9-]+)\s+\(([^:]+:[^:]+:[^:]+): ([^)]+)\)/.exec(line);
    if (m && !/can't run policy .* during preview/.test(lines[i + 1] ?? "")) {
      found.push({ level: m[1], policy: m[2], resource: m[4] });
    }
  });
  return found.sort((a, b) => `${a.policy}/${a.resource}`.localeCompare(`${b.policy}/${b.resource}`));
}

/** "policy — .property" for each "can't run policy … during preview" note: rules the analyzer skipped. */
function previewUnknowns(output: string): string[] {
  const notes = [
    ...output.matchAll(
      /can't run policy '([a-z0-9-]+)' .* during preview: \S+ value at (\S+) can't be known/g,
    ),
  ];
  return [...new Set(notes.map((m) => `${m[1]} — ${m[2]}`))].sort();
}

/** The list docs/engine-tests.md gives of rules a CLI preview cannot run (its preview-unknowns block). */
function documentedUnknowns(): string[] {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "engine-tests.md"), "utf8");
  const block = doc.slice(doc.indexOf("<!-- preview-unknowns"), doc.indexOf("<!-- /preview-unknowns"));
  return [...block.matchAll(/^- `([a-z0-9-]+)` — `(\S+)`/gm)].map((m) => `${m[1]} — ${m[2]}`).sort();
}

describe("AWS stacks and the policy pack under the real Pulumi CLI", function () {
  this.timeout(180_000);
  let s: EngineSession;

  before(async () => {
    s = EngineSession.create("e2e-aws");
    await s.pulumi(["login", `file://${s.backend}`]);
    for (const [stack, file] of Object.entries(STACK_FILES)) {
      // The staging example is what a user copies to Pulumi.staging.yaml (its header says so).
      if (stack === "staging")
        fs.copyFileSync(path.join(ROOT, file), path.join(s.project, "Pulumi.staging.yaml"));
      await s.pulumi(["stack", "init", stack]);
    }
  });

  after(async () => {
    if (s) await s.dispose();
  });

  it("Pulumi.dev.yaml passes the CLI's config validation (every key Pulumi.yaml leaves without default is required)", async () => {
    const preview = await s.pulumi(["preview", "--stack", "dev", "--json"]);
    assert.ok(JSON.parse(preview.stdout).steps.length > 0);
  });

  for (const stack of ["prod", "staging"]) {
    it(`${stack}: preview from the shipped stack file passes config validation and check; outputs unknown; no CA file`, async () => {
      assert.ok(!fs.existsSync(path.join(s.project, "certs", "rds-global-bundle.pem")));
      const preview = await s.pulumi(["preview", "--stack", stack, "--json"]);
      const steps: { op: string; urn: string; newState?: { inputs?: any; outputs?: any } }[] = JSON.parse(
        preview.stdout,
      ).steps;
      const primary = steps.find((st) => st.urn.endsWith("$aws:rds/instance:Instance::aws-postgres"));
      assert.equal(primary?.op, "create");
      assert.ok(primary?.newState?.inputs?.instanceClass, "known inputs are shown");
      for (const computed of ["address", "endpoint", "arn"]) {
        assert.equal(
          primary?.newState?.outputs?.[computed],
          undefined,
          `${computed} is unknown before create`,
        );
      }
      const schema = steps.find((st) => st.urn.endsWith("SchemaMigrations::schema"));
      assert.equal(schema?.op, "create", "the schema step passes check with an unknown connection");
      // The shipped file is in the form the CLI writes: `stack init` adds its salt and changes nothing else.
      const shipped = fs.readFileSync(path.join(ROOT, STACK_FILES[stack]), "utf8");
      const after = fs.readFileSync(path.join(s.project, `Pulumi.${stack}.yaml`), "utf8");
      assert.equal(after.replace(/^encryptionsalt: .*\n/m, ""), shipped);
    });

    it(`${stack}: \`preview --policy-pack policy\` runs the real analyzer and reports what policy:check reports`, async () => {
      const preview = await s.pulumi([
        "preview",
        "--stack",
        stack,
        "--policy-pack",
        "policy",
        "--policy-pack-config",
        `policy/config/${stack}.json`,
      ]);
      const offline = (await checkStack(stack))
        .map((v) => ({ level: v.level as string, policy: v.policy, resource: v.resource?.name ?? "" }))
        .sort((a, b) => `${a.policy}/${a.resource}`.localeCompare(`${b.policy}/${b.resource}`));
      assert.match(preview.stdout, /Policies:/);
      assert.deepEqual(violations(preview.stdout), offline);
      // What the preview could not evaluate is what docs/engine-tests.md says (all of it for prod).
      const documented = documentedUnknowns();
      const skipped = previewUnknowns(preview.stdout);
      if (stack === "prod") assert.deepEqual(skipped, documented);
      else
        assert.deepEqual(
          skipped.filter((u) => !documented.includes(u)),
          [],
        );
    });
  }

  it("prod: a config change that would replace the protected primary is refused at preview, naming the key", async () => {
    const guard =
      "urn:pulumi:prod::offthegrid-database::offthegrid:aws:DataStores$pulumi-nodejs:dynamic/offthegrid:ReplacementGuard::aws-replacement-guard";
    // Deploy just the guard (the stand-in has no RDS to apply a schema to), so the stack has previous values.
    const parent = "urn:pulumi:prod::offthegrid-database::offthegrid:aws:DataStores::aws";
    await s.pulumi([
      "up",
      "--stack",
      "prod",
      "--yes",
      "--skip-preview",
      "--target",
      parent,
      "--target",
      guard,
    ]);
    await s.pulumi(["config", "set", "postgresDatabase", "platform", "--stack", "prod"]);
    const refused = await s.pulumi(["preview", "--stack", "prod"], { allowFailure: true });
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stdout + refused.stderr,
      /offthegrid-database:postgresDatabase changed from "offthegrid" to "platform": that replaces the RDS primary \(dbName\)/,
    );
    await s.pulumi(["config", "rm", "postgresDatabase", "--stack", "prod"]);
    await s.pulumi(["preview", "--stack", "prod"]);
  });

  it("a mandatory violation fails the preview (staging's advisory Multi-AZ rule made mandatory)", async () => {
    const config = path.join(s.base, "strict.json");
    const staging = JSON.parse(
      fs.readFileSync(path.join(s.project, "policy", "config", "staging.json"), "utf8"),
    );
    fs.writeFileSync(config, JSON.stringify({ ...staging, "rds-multi-az": "mandatory" }));
    const preview = await s.pulumi(
      ["preview", "--stack", "staging", "--policy-pack", "policy", "--policy-pack-config", config],
      { allowFailure: true },
    );
    assert.notEqual(preview.code, 0);
    assert.ok(
      violations(preview.stdout).some((v) => v.level === "mandatory" && v.policy === "rds-multi-az"),
      preview.stdout.slice(-3000),
    );
  });
});
