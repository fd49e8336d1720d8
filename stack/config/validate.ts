// Pure config validation: raw Pulumi config map in, typed StackConfig out, or one ConfigError that lists
// every problem (key, bad value, what is allowed). Runs before any resource is registered.
import { ENVIRONMENTS, Environment, KeyName, RawSettings, keys } from "./keys";
import { InvalidValue, KeyScope, KeySpec, isUnsetPlaceholder } from "./key-spec";
import { Settings, buildConfig } from "./build";
import { Platform, StackConfig } from "./types";
import { Rules, runRules } from "./rules";
import { awsRules } from "../aws/keys";
import { backupRules } from "../backup/keys";
import { credentialsAwsRules, credentialsRules } from "../credentials/keys";
import { localRules } from "../local/keys";
import { monitoringRules } from "../monitoring/keys";
import { networkRules } from "../network/keys";
import { postgresRules } from "../postgres/keys";
import { redisRules, redisStoreRules } from "../redis/keys";

/**
 * Each concern's cross-key rules (stack/<concern>/keys.ts), per platform, in the order their problems are
 * listed.
 */
const RULES: Readonly<Record<Platform, readonly Rules[]>> = {
  docker: [credentialsRules, localRules, redisStoreRules],
  aws: [
    credentialsRules,
    redisStoreRules,
    networkRules,
    awsRules,
    postgresRules,
    backupRules,
    redisRules,
    monitoringRules,
    credentialsAwsRules,
  ],
};

export class ConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration for stack "${stack}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function platformOf(environment: Environment): Platform {
  return environment === "dev" ? "docker" : "aws";
}

const scopeLabel: Record<Exclude<KeyScope, "all">, string> = {
  docker: "Docker stacks (environment dev)",
  aws: "AWS stacks (environment staging or prod)",
};

type Raw = Readonly<Record<string, string>>;

interface Context {
  readonly raw: Raw;
  readonly fq: (key: string) => string;
  /** Undefined when `environment` is missing or invalid (that problem is reported on its own). */
  readonly platform?: Platform;
}

const NAMES = Object.keys(keys) as KeyName[];

function unknownKeys(raw: Raw, prefix: string, platform: Platform | undefined): string[] {
  // Only the keys this stack can use: a dev stack's list leaves the AWS keys out.
  const allowed = NAMES.filter((n) => platform === undefined || [platform, "all"].includes(keys[n].scope));
  return Object.keys(raw)
    .filter((k) => k.startsWith(prefix) && !(NAMES as string[]).includes(k.slice(prefix.length)))
    .map((k) => {
      const guess = closestName(k.slice(prefix.length), allowed);
      const hint = guess ? ` Did you mean ${prefix}${guess}?` : "";
      const which = platform ? ` for ${platform} stacks` : "";
      return `Unknown config key ${k}.${hint} Allowed keys${which} are: ${allowed.join(", ")}.`;
    });
}

/** The known key a typo most likely meant: same letters ignoring case, or at most a few edits away. */
export function closestName(given: string, names: readonly string[]): string | undefined {
  const lower = given.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(lower, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(given.length / 4)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

function platformFrom(raw: Raw, fq: (key: string) => string): Platform | undefined {
  const environment = raw[fq("environment")];
  if (environment === undefined || !(ENVIRONMENTS as readonly string[]).includes(environment))
    return undefined;
  return platformOf(environment as Environment);
}

/** One key: its parsed (or default) value, or the problem with it; neither when it does not apply here. */
function settle(name: KeyName, ctx: Context): { value?: unknown; problem?: string } {
  const spec: KeySpec<unknown> = keys[name];
  // Pulumi.yaml declares platform-scoped required keys with an empty placeholder default: that means "not
  // set".
  const given = ctx.raw[ctx.fq(name)];
  const value = isUnsetPlaceholder(spec, given) ? undefined : given;
  const applies = spec.scope === "all" || spec.scope === ctx.platform;
  if (value === undefined) {
    if (spec.default !== undefined) return { value: spec.default };
    if (!applies) return {};
    const allowed = name === "environment" ? ` (one of ${ENVIRONMENTS.join(", ")})` : "";
    const where = ctx.platform ? ` for this ${ctx.platform} stack` : "";
    return {
      problem: `Missing required config key ${ctx.fq(name)}${allowed}${where}: ${spec.description} Set it with ${setCommand(name, spec)}.`,
    };
  }
  if (!applies && ctx.platform !== undefined) {
    // The CLI merges Pulumi.yaml defaults into every stack's config, so a default here is not a mistake.
    if (isDefault(spec.default, value)) return {};
    const label = scopeLabel[spec.scope as Exclude<KeyScope, "all">];
    return {
      problem: `Config key ${ctx.fq(name)} is set to ${JSON.stringify(value)} but applies only to ${label}; remove it from this stack's file.`,
    };
  }
  try {
    return { value: spec.parse(value) };
  } catch (err) {
    if (!(err instanceof InvalidValue)) throw err;
    return {
      problem: `Invalid value for ${ctx.fq(name)}: ${JSON.stringify(value)}. Allowed values are: ${err.allowed}.`,
    };
  }
}

/** `raw` is the whole config map as Pulumi hands it over: `namespace:key` → string. */
export function validateConfig(raw: Raw, project: string, stack: string): StackConfig {
  const prefix = `${project}:`;
  const fq = (k: string) => `${prefix}${k}`;
  const ctx: Context = { raw, fq, platform: platformFrom(raw, fq) };
  const problems = unknownKeys(raw, prefix, ctx.platform);
  const settings: Partial<Record<KeyName, unknown>> = {};
  for (const name of NAMES) {
    const { value, problem } = settle(name, ctx);
    if (problem) problems.push(problem);
    else if (value !== undefined) settings[name] = value;
  }
  const platform = ctx.platform;
  if (problems.length === 0 && platform !== undefined) {
    problems.push(...runRules(RULES[platform], settings as RawSettings, raw, fq, stack));
  }
  if (problems.length > 0 || platform === undefined) throw new ConfigError(stack, problems);
  // No problem means every key that applies to the platform is set (parsed, defaulted, or reported missing).
  return buildConfig(settings as Settings, { project, stack, platform, region: raw["aws:region"] });
}

/** How to set a key: arrays item by item (`--path`), since Pulumi.yaml types them as YAML lists. */
function setCommand(name: string, spec: KeySpec<unknown>): string {
  return spec.type === "array"
    ? `\`pulumi config set --path '${name}[0]' <first item>\` (then [1], …)`
    : `\`pulumi config set ${name} <value>\``;
}

function isDefault(defaultValue: unknown, raw: string): boolean {
  if (defaultValue === undefined) return false;
  const canonical = typeof defaultValue === "string" ? defaultValue : JSON.stringify(defaultValue);
  try {
    return canonical === raw || JSON.stringify(JSON.parse(raw)) === canonical;
  } catch {
    return false;
  }
}
