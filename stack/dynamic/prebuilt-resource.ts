// A dynamic resource whose provider is a prebuilt bundle (stack/dynamic/providers.ts): the same type token,
// URN and `__provider` input that `pulumi.dynamic.Resource` produces, without serializing a closure.
import * as pulumi from "@pulumi/pulumi";
import { bundleFile, readBundle } from "./bundle-file";
import { PREBUILT_PROVIDERS, type PrebuiltProviderName, providerModuleText } from "./providers";

const texts = new Map<PrebuiltProviderName, string>();

/**
 * The `__provider` text for one prebuilt provider; throws naming `npm run build` when its bundle is stale.
 */
export function prebuiltProviderText(name: PrebuiltProviderName): string {
  let text = texts.get(name);
  if (text === undefined) {
    text = providerModuleText(readBundle(bundleFile(name)), PREBUILT_PROVIDERS[name].exportName);
    texts.set(name, text);
  }
  return text;
}

/** Reads every bundle now: a stale build refuses the deployment before anything is registered. */
export function checkPrebuiltProviders(): void {
  for (const name of Object.keys(PREBUILT_PROVIDERS) as PrebuiltProviderName[]) prebuiltProviderText(name);
}

export abstract class PrebuiltResource extends pulumi.CustomResource {
  protected constructor(
    provider: PrebuiltProviderName,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    super(
      `pulumi-nodejs:dynamic/${module}:${type}`,
      name,
      { ...props, __provider: prebuiltProviderText(provider) },
      opts,
    );
  }
}
