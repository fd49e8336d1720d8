// Runs index.ts under the mock monitor, inside a root Stack exactly as the language host does, with config
// built the way the CLI builds it: Pulumi.yaml defaults, overlaid by the stack file, overlaid by overrides.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { MockHooks, RecordedCall, RecordedResource, genericMocks } from "./mocks";
import { ROOT } from "./root";

export { ROOT };
export const PROJECT = "offthegrid-database";

export interface RecordedOptions {
  readonly type: string;
  readonly name: string;
  readonly opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
  /** Inputs as the program passed them (Outputs unresolved, so their dependencies can be checked). */
  readonly props: pulumi.Inputs;
  readonly parentName?: string;
}

export interface StackRun {
  readonly resources: RecordedResource[];
  readonly options: RecordedOptions[];
  /** index.ts's exports, still Outputs (so secrecy can be checked). */
  readonly exports: pulumi.Inputs;
  /** The stack's outputs, resolved to plain values. */
  readonly outputs: pulumi.Inputs;
  /** Invokes (data sources) the program called, in order. */
  readonly calls: RecordedCall[];
}

/** A parsed YAML document: its shape is checked where it is read. */
interface YamlConfigFile {
  readonly config?: Record<string, unknown>;
}

interface ProjectKey {
  readonly default?: unknown;
}

function readYaml(file: string): YamlConfigFile {
  return (parse(fs.readFileSync(path.resolve(ROOT, file), "utf8")) as YamlConfigFile | null) ?? {};
}

/** The string form the CLI hands to programs: strings as they are, everything else as JSON. */
const configString = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** Pulumi.yaml `config:` defaults, keyed with the project namespace. */
function projectDefaults(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(readYaml("Pulumi.yaml").config ?? {})) {
    const value = (spec as ProjectKey | null)?.default;
    if (value !== undefined) out[`${PROJECT}:${key}`] = configString(value);
  }
  return out;
}

function stackFileConfig(file: string): Record<string, string> {
  const entries = Object.entries(readYaml(file).config ?? {});
  return Object.fromEntries(entries.map(([key, value]) => [key, configString(value)]));
}

/** `overrides` maps short keys (no namespace) to a value, or to undefined to remove the key. */
export function stackConfig(
  file: string,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const config = { ...projectDefaults(), ...stackFileConfig(file) };
  for (const [key, value] of Object.entries(overrides)) {
    const full = key.includes(":") ? key : `${PROJECT}:${key}`;
    if (value === undefined) delete config[full];
    else config[full] = value;
  }
  return config;
}

/**
 * The program's own modules are evaluated afresh per run (config is read at import); tools keep their state.
 */
function forgetProgramModules(): void {
  const kept = ["node_modules", "test", "testbed", "cli", "policy"].map((d) => path.join(ROOT, d) + path.sep);
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(ROOT) && !kept.some((dir) => id.startsWith(dir))) delete require.cache[id];
  }
}

export async function runStack(
  stack: string,
  config: Record<string, string>,
  hooks: MockHooks = {},
  /** Evaluate as `pulumi preview` does (pulumi.runtime.isDryRun() true). */
  preview = false,
): Promise<StackRun> {
  const resources: RecordedResource[] = [];
  const options: RecordedOptions[] = [];
  const calls: RecordedCall[] = [];
  await pulumi.runtime.setMocks(genericMocks(resources, hooks, calls), PROJECT, stack, preview);
  pulumi.runtime.setAllConfig(config);
  forgetProgramModules();
  const names = new Map<pulumi.Resource, string>();
  let program: pulumi.Inputs = {};
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    // The mock monitor never sees resource options; a stack transformation does.
    pulumi.runtime.registerStackTransformation((args) => {
      names.set(args.resource, args.name);
      options.push({
        type: args.type,
        name: args.name,
        opts: args.opts,
        props: args.props,
        parentName: args.opts.parent ? names.get(args.opts.parent) : undefined,
      });
      return undefined;
    });
    // The program must be evaluated inside the stack, after the mocks are set: a static import cannot be.
    // The program's module exports a promise of its outputs, as the language host awaits it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    program = (await require(path.join(ROOT, "index.ts"))) as pulumi.Inputs;
    return program;
  });
  // Drains the queue of pending registrations (the mock monitor holds no connection to close).
  await pulumi.runtime.disconnect();
  return { resources, options, exports: program, outputs: outputs ?? {}, calls };
}

/** Resolves an Output (or plain value) to its value. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as pulumi.Unwrap<T>)));
}

export function ofType(run: StackRun, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}
