// npm run docs:generate: rewrites docs/configuration.md and Pulumi.yaml's `config:` block from the key table,
// docs/policy.md's rule table from the policy pack and its per-environment configs, and
// docs/migration-files.md's lint rule list from the migrate linter.
// --check: writes nothing, exits 1 listing the files that are out of date (what the drift tests assert too).
import * as fs from "node:fs";
import * as path from "node:path";
import { scriptArgs } from "../cli/shared/program";
import { renderConfigurationDoc, withGeneratedConfig } from "../stack/config/reference";
import { withGeneratedLintRules } from "../migrator/lint/rules-doc";
import type { PolicyConfigFile } from "../policy/offline";
import { policies } from "../policy/policies";
import { renderPolicyTable, withGeneratedPolicyTable } from "../policy/reference";

const root = path.resolve(__dirname, "..");

/** policy/config/<environment>.json, keyed by environment. */
export function policyConfigs(): Record<string, PolicyConfigFile> {
  const dir = path.join(root, "policy", "config");
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => [path.basename(f, ".json"), JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))]),
  );
}

export function generatedFiles(): Record<string, string> {
  const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
  return {
    "docs/migration-files.md": withGeneratedLintRules(read("docs/migration-files.md")),
    "docs/configuration.md": renderConfigurationDoc(),
    "Pulumi.yaml": withGeneratedConfig(read("Pulumi.yaml")),
    "docs/policy.md": withGeneratedPolicyTable(
      read("docs/policy.md"),
      renderPolicyTable(policies, policyConfigs()),
    ),
  };
}

if (require.main === module) {
  // A mistyped --check must not fall through to rewriting the files: unknown options are refused.
  const check = scriptArgs("npm run docs:generate --", {
    name: "docs:generate",
    summary: "rewrite the generated docs and Pulumi.yaml's config block from the tables in code",
    flags: [{ name: "--check", help: "write nothing; exit 1 listing the files that are out of date" }],
  }).has("--check");
  let stale = 0;
  for (const [file, text] of Object.entries(generatedFiles())) {
    const full = path.join(root, file);
    const current = fs.existsSync(full) ? fs.readFileSync(full, "utf8") : "";
    if (current === text) continue;
    stale++;
    if (check) process.stderr.write(`${file} is out of date: run npm run docs:generate\n`);
    else {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, text);
      process.stdout.write(`wrote ${file}\n`);
    }
  }
  process.exit(check && stale > 0 ? 1 : 0);
}
