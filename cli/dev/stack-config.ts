// The dev stack's config file as Pulumi reads it under `npm run dev` (`--config-file .dev/Pulumi.dev.yaml`):
// the committed Pulumi.dev.yaml's keys, plus what belongs to this machine only (host ports picked here, the
// encryption salt Pulumi saves for the passphrase). Committed keys win on every run, so a team change reaches
// everyone; a key the committed file does not set (a port, a rotation epoch set with `--config-file`) stays
// as set here.
import { isMap, parseDocument, stringify } from "yaml";

export const PROJECT = "offthegrid-database";
export const key = (name: string) => `${PROJECT}:${name}`;

const HEADER =
  "# This machine's dev stack config (git-ignored), written by `npm run dev`: Pulumi.dev.yaml's keys (they win on\n" +
  "# every run) plus local values. Set one with: pulumi config set KEY VALUE --stack dev --config-file .dev/Pulumi.dev.yaml\n";

function configOf(text: string | undefined, file: string): Record<string, unknown> {
  if (!text) return {};
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`${file} is not valid YAML: ${doc.errors[0].message}`);
  const config = doc.get("config");
  if (config === undefined || config === null) return {};
  if (!isMap(config)) throw new Error(`${file}: "config" must be a map of keys to values`);
  return (config.toJSON() as Record<string, unknown>) ?? {};
}

/** The local file's new text; `picked` adds keys (full names) only where neither file sets them. */
export function mergeStackConfig(
  committed: string,
  local: string | undefined,
  picked: Readonly<Record<string, string>> = {},
): string {
  const base = configOf(committed, "Pulumi.dev.yaml");
  const mine = configOf(local, ".dev/Pulumi.dev.yaml");
  const config = { ...picked, ...mine, ...base };
  // Top-level keys other than config (encryptionsalt, secretsprovider) are Pulumi's: kept as they are.
  const rest = local ? (parseDocument(local).toJSON() as Record<string, unknown> | null) : null;
  return HEADER + stringify({ ...(rest ?? {}), config }, { lineWidth: 0 });
}

/** The value a key has in a config file's text (committed or local), as a string, or undefined. */
export function configValue(text: string | undefined, name: string): string | undefined {
  const v = configOf(text, "stack config")[key(name)];
  return v === undefined || v === null ? undefined : String(v);
}
