// Shared plumbing for the stand-in provider plugins the real Pulumi CLI talks to in tests (there is no way to
// download the real docker/aws/random plugins here). Values cross the gRPC boundary in the engine's wire encoding:
// secrets and output values are signature-tagged objects and unknowns a sentinel string.
import * as fs from "node:fs";
import * as path from "node:path";
import * as provider from "@pulumi/pulumi/provider";

export type Props = Record<string, unknown>;

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function isTagged(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && SIG in v;
}

/** The value with every secret and output wrapper removed (providers work on plaintext, as the real ones do). */
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

export function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (typeof v === "object" && v !== null) return Object.values(v).some(containsUnknown);
  return false;
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

/** Where a stand-in keeps what the real service would (docker's containers and volumes); under the test home. */
export function stateDir(kind: string): string {
  const home = process.env.PULUMI_HOME;
  if (!home)
    throw new Error(`stand-in ${kind} provider: PULUMI_HOME is not set (run it through npm run pulumi)`);
  const dir = path.join(home, "standin-state", kind);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function serve(name: string, impl: provider.Provider): void {
  const version = require(`@pulumi/${name}/package.json`).version as string;
  void provider.main({ ...impl, version }, process.argv.slice(2));
}
