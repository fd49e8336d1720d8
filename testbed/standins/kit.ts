// Shared plumbing for the stand-in provider plugins the real Pulumi CLI talks to in tests (there is no way to
// download the real docker/aws/random plugins here). Values cross the gRPC boundary in the engine's wire
// encoding: secrets and output values are signature-tagged objects and unknowns a sentinel string.
import * as provider from "@pulumi/pulumi/provider";
import * as runtime from "@pulumi/pulumi/runtime";
import { packageVersion } from "../engine/cli";

export type Props = Record<string, unknown>;

const SIG = runtime.specialSigKey;
const SECRET_SIG = runtime.specialSecretSig;
const OUTPUT_SIG = runtime.specialOutputValueSig;

function isTagged(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && SIG in v;
}

/**
 * The value with every secret and output wrapper removed (providers work on plaintext, as the real ones do).
 */
export function plain<T = unknown>(v: unknown): T {
  if (Array.isArray(v)) return v.map((x) => plain(x)) as T;
  if (isTagged(v)) {
    const sig = v[SIG];
    if (sig === SECRET_SIG || sig === OUTPUT_SIG) return plain(v.value);
    return v as T;
  }
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) as T;
  }
  return v as T;
}

/** A value the engine stores as a secret, as bridged providers return their sensitive attributes. */
export function secret(value: unknown): Props {
  return { [SIG]: SECRET_SIG, value };
}

/** `urn:pulumi:stack::project::type::name` → type and name. */
export function parseUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  return { type: parts[2].split("$").pop() ?? parts[2], name: parts[3] };
}

/** Keys whose (plaintext) values differ between two property bags. */
export function changedKeys(olds: Props, news: Props, ignore: readonly string[] = []): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter(
    (k) =>
      !ignore.includes(k) &&
      JSON.stringify(plain(olds[k]) ?? null) !== JSON.stringify(plain(news[k]) ?? null),
  );
}

export function serve(name: string, impl: provider.Provider): void {
  // The version the SDK asks for, which is also the plugin folder's name (installStandins).
  void provider.main({ ...impl, version: packageVersion(name) }, process.argv.slice(2));
}
