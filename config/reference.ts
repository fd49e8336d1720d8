// The configuration reference, generated from the key table (keys.ts, aws-keys.ts) like terraform-docs does for
// the reference modules: docs/configuration.md and Pulumi.yaml's `config:` block. Pure: `npm run docs:generate`
// writes the files, and a test fails when the committed ones drift from what this renders.
import { keys } from "./keys";
import { KeyScope, KeySpec } from "./spec";

type Entry = [name: string, spec: KeySpec<unknown>];

const entries = (): Entry[] => Object.entries(keys) as Entry[];

/** The first line of the generated part of Pulumi.yaml: everything above it is kept as written. */
const PULUMI_YAML_MARKER = "# Generated from config/keys.ts and config/aws-keys.ts";

const yamlScalar = (value: unknown) =>
  typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value);

/**
 * Pulumi.yaml's `config:` block. The CLI requires every declared key WITHOUT a default in every stack (dev
 * included), so only keys with a default are declared; required keys are validated by the program, which names
 * what is missing for the stack's environment.
 */
function renderPulumiYamlConfig(): string {
  const required = entries().filter(([, spec]) => spec.default === undefined);
  const lines = [
    `${PULUMI_YAML_MARKER} by \`npm run docs:generate\`: edit those, not this block.`,
    "# Required keys are not declared here (the Pulumi CLI would demand them in every stack); the program checks",
    "# them for the environments that need them (docs/configuration.md):",
    `#   ${required.map(([name]) => name).join(", ")}`,
    "config:",
  ];
  for (const [name, spec] of entries()) {
    if (spec.default === undefined) continue;
    lines.push(`  ${name}:`, `    type: ${spec.type}`);
    if (spec.type === "array") lines.push("    items:", "      type: string");
    lines.push(
      `    description: ${JSON.stringify(spec.description)}`,
      `    default: ${yamlScalar(spec.default)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Replaces the generated block of an existing Pulumi.yaml (or its `config:` block), keeping the header. */
export function withGeneratedConfig(pulumiYaml: string): string {
  const lines = pulumiYaml.split("\n");
  let cut = lines.findIndex((l) => l.startsWith(PULUMI_YAML_MARKER));
  if (cut < 0) cut = lines.findIndex((l) => l.startsWith("config:"));
  const head = cut < 0 ? lines : lines.slice(0, cut);
  while (head.length && head[head.length - 1] === "") head.pop();
  return `${head.join("\n")}\n${renderPulumiYamlConfig()}`;
}

const SECTIONS: { scope: KeyScope; title: string; intro: string }[] = [
  { scope: "all", title: "All stacks", intro: "" },
  {
    scope: "docker",
    title: "Dev stacks (Docker)",
    intro: "Only for `environment: dev`; setting one on an AWS stack is an error.",
  },
  {
    scope: "aws",
    title: "AWS stacks (staging, prod)",
    intro:
      "Only for `environment: staging` or `prod`; setting one on a dev stack is an error. Also required: " +
      "`aws:region` (the AWS provider's own key), the primary region.",
  },
];

const cell = (text: string) => text.replace(/\|/g, "\\|");

function defaultCell(spec: KeySpec<unknown>): string {
  if (spec.default === undefined) return "**required**";
  return `\`${typeof spec.default === "string" ? JSON.stringify(spec.default) : JSON.stringify(spec.default)}\``;
}

export function renderConfigurationDoc(): string {
  const out = [
    "<!-- Generated from config/keys.ts and config/aws-keys.ts by `npm run docs:generate`; edit those. -->",
    "",
    "# Configuration reference",
    "",
    "Every key lives under the `offthegrid-database:` namespace. The program validates the whole stack's config",
    "before it registers any resource, and a bad value fails the run with one message that lists every problem:",
    "",
    "```",
    'Invalid configuration for stack "dev":',
    '  - Invalid value for offthegrid-database:postgresHostPort: "70000". Allowed values are: an integer from 1024 to 65535.',
    "  - Unknown config key offthegrid-database:postgresHostPrt. Allowed keys are: environment, owner, …",
    "```",
    "",
    "Unknown keys under the namespace, a key set on the wrong kind of stack (e.g. `vpcId` on a dev stack), port",
    "clashes and keys the environment needs but lacks are all errors.",
    "",
    "Setting values:",
    "",
    "- scalars: `pulumi config set postgresHostPort 15432`",
    "- arrays, one item at a time: `pulumi config set --path 'privateSubnets[0]' subnet-0123456789abcdef0=eu-west-1a`,",
    '  or at once: `pulumi config set --json privateSubnets \'["subnet-…=eu-west-1a", "subnet-…=eu-west-1b"]\'`, or',
    "  as a YAML list in the stack file (see `Pulumi.prod.yaml`).",
    "",
    "Keys with a default are declared in `Pulumi.yaml` with that default (same type), so `pulumi config` and the",
    "stack files show them; **required** keys are not declared there, because the Pulumi CLI would then demand",
    "them in every stack, dev included. The program asks for them when the stack's environment needs them.",
  ];
  for (const section of SECTIONS) {
    const rows = entries().filter(([, spec]) => spec.scope === section.scope);
    out.push("", `## ${section.title}`, "");
    if (section.intro) out.push(section.intro, "");
    out.push("| key | type | default | description |", "| --- | --- | --- | --- |");
    for (const [name, spec] of rows)
      out.push(`| \`${name}\` | ${spec.type} | ${cell(defaultCell(spec))} | ${cell(spec.description)} |`);
  }
  out.push(
    "",
    "`Pulumi.prod.yaml` holds realistic production values with placeholder account, VPC, subnet and security",
    "group ids; `examples/Pulumi.staging.yaml` is a smaller staging stack (no replicas, single-AZ, burstable",
    "classes, shorter retention): copy it to `Pulumi.staging.yaml`, replace the ids, `pulumi stack init staging`.",
  );
  return `${out.join("\n")}\n`;
}
