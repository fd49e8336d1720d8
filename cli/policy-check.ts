// npm run policy:check -- --stack dev|staging|prod
// Evaluates every policy of policy/ with that environment's policy config (policy/config/<env>.json) over the
// resources the program registers for that stack file, under Pulumi's mock monitor: no CLI, no cloud, no Docker.
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
import { PROJECT, ROOT, offlineStackConfig, runStack } from "../harness/stack";

export const STACK_FILES: Record<string, string> = {
  dev: "Pulumi.dev.yaml",
  staging: "examples/Pulumi.staging.yaml",
  prod: "Pulumi.prod.yaml",
};

/** Registers the stack under mocks and returns its resources as policies see them. */
export async function stackResources(
  stack: string,
  overrides: Record<string, string | undefined> = {},
): Promise<{ resources: OfflineResource[]; region?: string }> {
  const config = offlineStackConfig(STACK_FILES[stack], overrides);
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
  const i = argv.indexOf("--stack");
  const stack = i >= 0 ? argv[i + 1] : undefined;
  if (!stack || !STACK_FILES[stack]) {
    process.stderr.write(`usage: npm run policy:check -- --stack ${Object.keys(STACK_FILES).join("|")}\n`);
    return 2;
  }
  const started = Date.now();
  const violations = await checkStack(stack);
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
      console.error(err);
      process.exit(1);
    },
  );
}
