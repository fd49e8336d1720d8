// The dynamic providers the stack hands to Pulumi's Node.js provider host, each built ahead of time into one
// self-contained module (tools/bundle-provider.ts, `npm run build`). The program passes that module's text as
// the resource's `__provider` instead of letting Pulumi serialize the provider's closure on every run, which
// loaded the TypeScript compiler, npm's package walker and a V8 inspector session into each preview and cost
// more CPU than the rest of the program's evaluation (docs/benchmarks.md). No Pulumi import here: the build
// tool reads this table.

export interface PrebuiltProvider {
  /** The module that exports the provider; it and what it imports are bundled, packages stay external. */
  readonly entry: string;
  /** The export holding the provider object. */
  readonly exportName: string;
}

export const PREBUILT_PROVIDERS = {
  schemaMigrations: { entry: "stack/schema/provider.ts", exportName: "schemaProvider" },
  configGuard: { entry: "stack/config/guard-check.ts", exportName: "configGuardProvider" },
  replacementGuard: { entry: "stack/aws/replacement-guard-check.ts", exportName: "replacementGuardProvider" },
  serviceLiveness: { entry: "stack/local/liveness-check.ts", exportName: "livenessProvider" },
  redisUsers: { entry: "stack/redis/live-acl.ts", exportName: "redisUsersProvider" },
} as const satisfies Record<string, PrebuiltProvider>;

export type PrebuiltProviderName = keyof typeof PREBUILT_PROVIDERS;

/** Packages a bundle requires from the project's node_modules (the host resolves them from its directory). */
export const EXTERNAL_PACKAGES = ["pg", "libpg-query", "ioredis"] as const;

/**
 * The `__provider` text the host evaluates (require-from-string, then `handler()`): the bundle, run with the
 * host module's own `require`, once per process and text (the host caches providers by this text).
 */
export function providerModuleText(bundle: string, exportName: string): string {
  return [
    "exports.handler = function () {",
    "  const module = { exports: {} };",
    "  (function (exports, require, module) {",
    bundle,
    "  })(module.exports, require, module);",
    `  return module.exports.${exportName};`,
    "};",
    "",
  ].join("\n");
}
