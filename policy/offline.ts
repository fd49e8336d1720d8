// Evaluates the pack's policies over a list of resources the way CrossGuard does, without the Pulumi CLI: the
// same validateResource / validateStack arguments (type, props, urn, name, opts, isType, asType, getConfig,
// notApplicable, stackTags, provider), and enforcement levels + properties from a policy config file, as
// `--policy-pack-config` applies them.
import type {
  EnforcementLevel,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

export interface OfflineResource {
  readonly type: string;
  readonly name: string;
  /** Plain values (secrets unwrapped, as policies see them). */
  readonly props: Record<string, unknown>;
  /** Inputs of the provider that manages it (e.g. { region }), when not the default one. */
  readonly providerProps?: Record<string, unknown>;
  readonly providerName?: string;
}

export type PolicyConfigFile = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

export interface Violation {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly resource?: { readonly type: string; readonly name: string; readonly urn: string };
  readonly message: string;
}

class NotApplicable extends Error {}

type Policy = ResourceValidationPolicy | StackValidationPolicy;

/** A policy's level and properties under a policy config file, as `--policy-pack-config` resolves them. */
export function resolvedConfig(
  policy: Policy,
  file: PolicyConfigFile,
): { level: EnforcementLevel; properties: Record<string, unknown> } {
  const entryOf = (v: PolicyConfigFile[string] | undefined) =>
    typeof v === "string" ? { enforcementLevel: v } : (v ?? {});
  const all = entryOf(file.all);
  const own = entryOf(file[policy.name]);
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {}).map(([k, schema]) => [
      k,
      (schema as { default?: unknown }).default,
    ]),
  );
  const { enforcementLevel: _own, ...ownProps } = own;
  return {
    level: own.enforcementLevel ?? all.enforcementLevel ?? policy.enforcementLevel ?? "advisory",
    properties: { ...defaults, ...ownProps },
  };
}

/** Async: a validator may return a promise (CrossGuard awaits it), and its violations must not be lost. */
export async function evaluatePolicies(
  policies: readonly Policy[],
  resources: readonly OfflineResource[],
  options: {
    stack: string;
    project: string;
    config: PolicyConfigFile;
    defaultProviderProps?: Record<string, unknown>;
  },
): Promise<Violation[]> {
  const urnOf = (r: OfflineResource) =>
    `urn:pulumi:${options.stack}::${options.project}::${r.type}::${r.name}`;
  const common = (r: OfflineResource) => ({
    type: r.type,
    props: r.props,
    urn: urnOf(r),
    name: r.name,
    opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {} },
    isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === r.type,
    asType: (cls: { __pulumiType?: string }) => (cls.__pulumiType === r.type ? r.props : undefined),
    provider: r.type.startsWith("pulumi:providers:")
      ? undefined
      : {
          type: `pulumi:providers:${r.type.split(":")[0]}`,
          urn: "",
          name: r.providerName ?? "default",
          props: r.providerProps ?? options.defaultProviderProps ?? {},
        },
  });
  const stackTags = new Map<string, string>();
  const violations: Violation[] = [];
  for (const policy of policies) {
    const { level, properties } = resolvedConfig(policy, options.config);
    if (level === "disabled") continue;
    const notApplicable = (reason?: string) => {
      throw new NotApplicable(reason);
    };
    const getConfig = <T>() => properties as T;
    if ("validateResource" in policy && policy.validateResource) {
      const validators = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : [policy.validateResource];
      for (const r of resources) {
        const args = {
          ...common(r),
          getConfig,
          notApplicable,
          stackTags,
        } as unknown as ResourceValidationArgs;
        for (const validate of validators) {
          try {
            await validate(args, (message) =>
              violations.push({
                policy: policy.name,
                level,
                resource: { type: r.type, name: r.name, urn: urnOf(r) },
                message,
              }),
            );
          } catch (err) {
            if (!(err instanceof NotApplicable)) throw err;
          }
        }
      }
    }
    if ("validateStack" in policy && policy.validateStack) {
      const policyResources = resources.map(
        (r) => ({ ...common(r), dependencies: [], propertyDependencies: {} }) as unknown as PolicyResource,
      );
      const args = {
        resources: policyResources,
        getConfig,
        notApplicable,
        stackTags,
      } as unknown as StackValidationArgs;
      try {
        await policy.validateStack(args, (message, urn) => {
          const r = resources.find((x) => urnOf(x) === urn);
          violations.push({
            policy: policy.name,
            level,
            resource: r && { type: r.type, name: r.name, urn: urnOf(r) },
            message,
          });
        });
      } catch (err) {
        if (!(err instanceof NotApplicable)) throw err;
      }
    }
  }
  return violations;
}

/** A report in the shape the CLI prints. */
export function formatReport(violations: readonly Violation[], packName: string, version: string): string {
  if (violations.length === 0)
    return "Policies:\n    ✅ offthegrid-database@v" + version + " (local: policy): no violations";
  const lines = [`Policy Violations:`];
  for (const v of violations) {
    lines.push(
      `    [${v.level}]  ${packName} v${version}  ${v.policy} ${v.resource ? `(${v.resource.type}: ${v.resource.name})` : "(stack)"}`,
    );
    lines.push(`    ${v.message}`);
  }
  return lines.join("\n");
}
