// npm run docs:generate: rewrites docs/configuration.md and Pulumi.yaml's `config:` block from the key table.
// --check: writes nothing, exits 1 listing the files that are out of date (what the drift test asserts too).
import * as fs from "node:fs";
import * as path from "node:path";
import { renderConfigurationDoc, withGeneratedConfig } from "../config/reference";
import { withGeneratedLintRules } from "../migrator/lint/rules-doc";

const root = path.resolve(__dirname, "..");

function generatedFiles(): Record<string, string> {
  const pulumiYaml = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8");
  const migrationFiles = fs.readFileSync(path.join(root, "docs/migration-files.md"), "utf8");
  return {
    "docs/migration-files.md": withGeneratedLintRules(migrationFiles),
    "docs/configuration.md": renderConfigurationDoc(),
    "Pulumi.yaml": withGeneratedConfig(pulumiYaml),
  };
}

if (require.main === module) {
  const check = process.argv.includes("--check");
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
