// docs/policy.md's rule table, rendered from the pack itself (every policy `policies` exports, in order) and
// the per-environment configs in policy/config/, like docs/configuration.md from the key table: `npm run
// docs:generate` writes it between the markers, and test/unit/policy-doc.test.ts fails when the doc drifts.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { PolicyConfigFile, resolvedConfig } from "./offline";

type Policy = ResourceValidationPolicy | StackValidationPolicy;

export const TABLE_START =
  "<!-- generated: the rule table, from policy/policies.ts and policy/config/*.json by `npm run docs:generate` -->";
export const TABLE_END = "<!-- /generated -->";

/** Environments in the order readers expect (dev → prod), then any other config file alphabetically. */
const ORDER = ["dev", "staging", "prod"];
export const orderedEnvironments = (names: string[]): string[] =>
  [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);

const cell = (text: string) => text.replace(/\|/g, "\\|");

/**
 * "mandatory", "advisory (minimumDays: 7)": the level and any property the config (or schema default) sets.
 */
function levelCell(policy: Policy, config: PolicyConfigFile): string {
  const { level, properties } = resolvedConfig(policy, config);
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : JSON.stringify(v)}`);
  return props.length ? `${level} (${props.join(", ")})` : level;
}

function checksCell(policy: Policy): string {
  const stackRule = "validateStack" in policy && policy.validateStack !== undefined;
  return stackRule ? `${policy.description} (stack rule)` : policy.description;
}

/** A markdown table padded as prettier pads it, so `prettier --check` accepts the generated text. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function renderPolicyTable(
  policies: readonly Policy[],
  configs: Record<string, PolicyConfigFile>,
): string {
  const envs = orderedEnvironments(Object.keys(configs));
  const rows = policies.map((p) => [
    `\`${p.name}\``,
    cell(checksCell(p)),
    ...envs.map((env) => cell(levelCell(p, configs[env]))),
  ]);
  return markdownTable(["rule", "checks", ...envs], rows);
}

/**
 * Replaces the generated table of docs/policy.md (between the markers), keeping everything else as written.
 */
export function withGeneratedPolicyTable(doc: string, table: string): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start)
    throw new Error(`docs/policy.md: missing the markers ${TABLE_START} … ${TABLE_END}`);
  return `${doc.slice(0, start)}${TABLE_START}\n\n${table}\n\n${doc.slice(end)}`;
}
