// What SchemaMigrations hands to Pulumi: six one-line methods around the text of build/provider.bundle.js
// (the provider and the engine, bundled by esbuild in tools/bundle-provider.ts at `npm run build`;
// bundle-file.ts checks it). Pulumi serializes these closures and one string instead of walking the whole
// engine's closure (~1 s of every program evaluation, measured in testbed/bench/run.ts). The host evaluates
// the bundle on first use, with its own `require` (pg resolves from the project directory, as before), and
// keeps it per bundle hash for the life of the process.
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { readBundle } from "./bundle-file";
import type { schemaProvider as Implementation } from "./provider";

type Provider = typeof Implementation;
const METHODS = ["check", "diff", "create", "update", "read", "delete"] as const;

/** A dynamic resource provider (the type import checks the shape; nothing of Pulumi is loaded here). */
export function bundledProvider(source: string): Provider & pulumi.dynamic.ResourceProvider {
  const key = `offthegrid-schema-provider-${createHash("sha256").update(source).digest("hex").slice(0, 16)}`;
  const load = (): Provider => {
    const cache = globalThis as unknown as Record<string, Provider | undefined>;
    let loaded = cache[key];
    if (!loaded) {
      const module = { exports: {} as { schemaProvider?: Provider } };
      new Function("require", "module", "exports", source)(require, module, module.exports);
      loaded = cache[key] = module.exports.schemaProvider!;
    }
    return loaded;
  };
  const provider: Record<string, (...args: unknown[]) => unknown> = {};
  for (const method of METHODS) {
    provider[method] = (...args: unknown[]) => (load()[method] as (...a: unknown[]) => unknown)(...args);
  }
  return provider as unknown as Provider;
}

export const schemaProvider = bundledProvider(readBundle());
