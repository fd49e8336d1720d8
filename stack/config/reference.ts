// The configuration reference, generated from the key tables (stack/*/keys.ts) like terraform-docs does for
// the reference modules: docs/configuration.md and Pulumi.yaml's `config:` block. Pure: `npm run
// docs:generate` writes the files, and a test fails when the committed ones drift from what this renders.
import { KEY_TABLES, keys } from "./keys";
import { KeyScope, KeySpec, projectDefault } from "./key-spec";

type Entry = [name: string, spec: KeySpec<unknown>];

const entries = (): Entry[] => Object.entries(keys) as Entry[];

/** The first line of the generated part of Pulumi.yaml: everything above it is kept as written. */
const PULUMI_YAML_MARKER = "# Generated from the key tables in stack/*/keys.ts";

/**
 * Pulumi.yaml's `config:` block. The CLI requires every declared key WITHOUT a default in every stack (dev
 * included; sdk/go/common/workspace/config.go, mergeConfig), so only `environment`, which every stack needs,
 * has none. A key required for one platform only gets an empty placeholder default, which the program reads
 * as "not set" and then asks for where that platform needs it (spec.ts, projectDefault / isUnsetPlaceholder).
 */
/** A YAML string quoted the way prettier writes it: double quotes unless the text itself contains them. */
const yamlString = (text: string) =>
  text.includes('"') && !text.includes("'") ? `'${text}'` : JSON.stringify(text);

function renderPulumiYamlConfig(): string {
  const lines = [
    `${PULUMI_YAML_MARKER} by \`npm run docs:generate\`: edit those, not this block.`,
    "# Types and defaults as in the key table; the program validates every value again (docs/configuration.md).",
    "config:",
  ];
  for (const [name, spec] of entries()) {
    const declared = projectDefault(spec);
    lines.push(`  ${name}:`, `    type: ${spec.type}`);
    if (spec.type === "array") lines.push("    items:", "      type: string");
    lines.push(`    description: ${yamlString(spec.description)}`);
    if (declared === undefined) continue;
    if (spec.default === undefined)
      lines.push(
        `    # Required for ${scopeWords[spec.scope]} stacks; empty means "not set" (the CLI would otherwise require it in every stack).`,
      );
    // A non-empty list as a YAML block sequence: the form prettier keeps (a long flow list it would re-wrap).
    if (Array.isArray(declared) && declared.length > 0)
      lines.push("    default:", ...declared.map((item) => `      - ${JSON.stringify(item)}`));
    else lines.push(`    default: ${JSON.stringify(declared)}`);
  }
  return `${lines.join("\n")}\n`;
}

const scopeWords: Record<KeyScope, string> = { all: "all", docker: "dev (Docker)", aws: "AWS" };

/** Replaces the generated block of an existing Pulumi.yaml (or its `config:` block), keeping the header. */
export function withGeneratedConfig(pulumiYaml: string): string {
  const lines = pulumiYaml.split("\n");
  let cut = lines.findIndex((l) => l.startsWith(PULUMI_YAML_MARKER));
  if (cut < 0) cut = lines.findIndex((l) => l.startsWith("config:"));
  const head = cut < 0 ? lines : lines.slice(0, cut);
  while (head.length && head[head.length - 1] === "") head.pop();
  return `${head.join("\n")}\n${renderPulumiYamlConfig()}`;
}

const SCOPE: Record<KeyScope, string> = { all: "all", docker: "dev", aws: "AWS" };

const cell = (text: string) => text.replace(/\|/g, "\\|");

function defaultCell(spec: KeySpec<unknown>): string {
  if (spec.default === undefined) return "**required**";
  return `\`${typeof spec.default === "string" ? JSON.stringify(spec.default) : JSON.stringify(spec.default)}\``;
}

export function renderConfigurationDoc(): string {
  const out = [
    "<!-- Generated from the key tables in stack/*/keys.ts by `npm run docs:generate`; edit those. -->",
    "",
    "# Configuration reference",
    "",
    "Every key lives under the `offthegrid-database:` namespace. The program validates the whole stack's config",
    "before it registers any resource, and a bad value fails the run with one message that lists every problem:",
    "",
    "```text",
    'Invalid configuration for stack "dev":',
    '  - Invalid value for offthegrid-database:postgresHostPort: "70000". Allowed values are: an integer from 1024 to 65535.',
    "  - Unknown config key offthegrid-database:postgresHostPrt. Allowed keys are: environment, owner, …",
    "```",
    "",
    "Unknown keys under the namespace, a key set on the wrong kind of stack (e.g. `vpcId` on a dev stack), port",
    "clashes and keys the environment needs but lacks are all errors. The **stacks** column says where a key applies:",
    "`all`, `dev` (Docker) or `AWS` (staging, prod); setting a key on the wrong kind of stack is an error.",
    "",
    "Setting values:",
    "",
    "- scalars: `pulumi config set postgresHostPort 15432`",
    "- arrays, one item at a time: `pulumi config set --path 'privateSubnets[0]' subnet-0123456789abcdef0=eu-west-1a`",
    "  (then `[1]`, …), or as a YAML list in the stack file (see `Pulumi.prod.yaml`).",
    "",
    "Every key is declared in `Pulumi.yaml` with its type and default. The Pulumi CLI demands a declared key",
    "without a default in every stack, so only `environment` has none; keys **required** on AWS stacks only are",
    'declared with an empty placeholder (`""` or `[]`) that the program reads as "not set", and it asks for them',
    "when the stack's environment needs them.",
  ];
  for (const table of KEY_TABLES) {
    out.push("", `## ${table.title}`, "", `Declared in \`${table.file}\`.`, "");
    out.push("| key | stacks | type | default | description |", "| --- | --- | --- | --- | --- |");
    for (const [name, spec] of Object.entries(table.keys) as Entry[])
      out.push(
        `| \`${name}\` | ${SCOPE[spec.scope]} | ${spec.type} | ${cell(defaultCell(spec))} | ${cell(spec.description)} |`,
      );
  }
  out.push(
    "",
    "`Pulumi.prod.yaml` holds realistic production values with placeholder account, VPC, subnet and security",
    "group ids; `examples/Pulumi.staging.yaml` is a smaller staging stack (no replicas, single-AZ, burstable",
    "classes, shorter retention): copy it to `Pulumi.staging.yaml`, replace the ids, `pulumi stack init staging`.",
  );
  return `${out.join("\n")}\n`;
}
