// The resource that runs stack/config/guard-check.ts's provider, and the preview warnings it makes possible:
// `applied` carries, in preview, the values the stack applied before this deployment.
import * as pulumi from "@pulumi/pulumi";
import type { GuardedKeys } from "./config/guard-check";
import { PrebuiltResource } from "./dynamic/prebuilt-resource";

export class ConfigGuard extends PrebuiltResource {
  /** In preview: the values the stack applied before this deployment; after an update: the new ones. */
  declare readonly applied: pulumi.Output<Record<string, number | string>>;

  constructor(name: string, keys: pulumi.Input<GuardedKeys>, opts?: pulumi.CustomResourceOptions) {
    super("configGuard", name, { keys, applied: undefined }, opts, "offthegrid", "ConfigGuard");
  }
}

/**
 * Warns (in preview) for each key whose value differs from the applied one, with `consequence`'s one line;
 * undefined means nothing to say.
 */
export function warnOnChange(
  guard: ConfigGuard,
  values: Readonly<Record<string, number | string>>,
  consequence: (key: string, applied: number | string, value: number | string) => string | undefined,
): void {
  guard.applied.apply((applied) => {
    for (const [key, value] of Object.entries(values)) {
      const before = applied?.[key];
      if (before === undefined || before === value) continue;
      const line = consequence(key, before, value);
      if (line) void pulumi.log.warn(line, guard);
    }
  });
}
