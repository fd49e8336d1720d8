import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { keys } from "../../stack/config/keys";
import { KeySpec, projectDefault } from "../../stack/config/key-spec";
import { renderConfigurationDoc, withGeneratedConfig } from "../../stack/config/reference";
import { ROOT } from "../../testbed/stack";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("Pulumi.yaml config schema", () => {
  const project = parse(read("Pulumi.yaml"));
  const declared: Record<string, { type: string; description: string; default?: unknown; items?: unknown }> =
    project.config;
  const specs = Object.entries(keys) as [string, KeySpec<unknown>][];

  it("names the project and the TypeScript runtime", () => {
    assert.equal(project.name, "offthegrid-database");
    assert.equal(project.runtime.name, "nodejs");
    // TypeScript through esbuild, not the language host's ts-node: package.json's main registers the hook,
    // then loads index.ts (the e2e tests run the program this way under the real CLI).
    assert.equal(project.runtime.options.typescript, false);
    const main = JSON.parse(read("package.json")).main;
    assert.equal(main, "program.cjs");
    assert.match(
      read(main),
      /require\("\.\/tools\/ts-register\.cjs"\);\n(?:\/\/.*\n|process\.setSourceMapsEnabled\(false\);\n)*module\.exports = require\("\.\/index\.ts"\);/,
    );
  });

  it("declares exactly the keys the program validates", () => {
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(keys).sort());
  });

  it("declares without a default only keys every stack must set (the CLI requires those in every stack)", () => {
    const required = Object.entries(declared)
      .filter(([, entry]) => entry.default === undefined)
      .map(([name]) => name);
    assert.deepEqual(required, ["environment"]);
  });

  for (const [name, spec] of specs) {
    it(`${name}: same type, description and default as the key table`, () => {
      const entry = declared[name];
      assert.equal(entry.type, spec.type);
      assert.equal(entry.description, spec.description);
      assert.deepEqual(entry.default, projectDefault(spec));
      if (spec.type === "array") assert.ok(Array.isArray(entry.default), "arrays are YAML lists");
      if (spec.default !== undefined) {
        const raw = typeof entry.default === "string" ? entry.default : JSON.stringify(entry.default);
        assert.deepEqual(spec.parse(raw), entry.default, "the default passes the program's own validation");
      }
    });
  }
});

describe("generated configuration reference (npm run docs:generate)", () => {
  it("docs/configuration.md is what the key table renders", () => {
    assert.equal(read("docs/configuration.md"), renderConfigurationDoc(), "run npm run docs:generate");
  });

  it("Pulumi.yaml's config block is what the key table renders", () => {
    assert.equal(read("Pulumi.yaml"), withGeneratedConfig(read("Pulumi.yaml")), "run npm run docs:generate");
  });

  it("documents every key in a table row, required ones as such", () => {
    const doc = renderConfigurationDoc();
    for (const [name, spec] of Object.entries(keys) as [string, KeySpec<unknown>][]) {
      const row = new RegExp(
        `^\\| \`${name}\` \\| (?:all|dev|AWS) \\| ${spec.type} \\| ([^|]+) \\|`,
        "m",
      ).exec(doc);
      assert.ok(row, name);
      assert.equal(row[1].trim() === "**required**", spec.default === undefined, name);
    }
  });

  it("says how arrays are really set (--path), not as JSON strings, nor with --json (CLI 3.274 has no such flag)", () => {
    assert.match(renderConfigurationDoc(), /pulumi config set --path 'privateSubnets\[0\]'/);
    assert.doesNotMatch(renderConfigurationDoc(), /pulumi config set --json/);
  });
});

describe("committed stack files", () => {
  // `pulumi config set` (and any save, e.g. `stack init` adding a salt) writes every scalar as a string: a
  // file in another form is rewritten, values re-quoted, by the first command that saves it.
  for (const file of ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "examples/Pulumi.staging.yaml"]) {
    it(`${file} holds its values in the form the CLI writes (strings), so no command re-quotes them`, () => {
      const config: Record<string, unknown> = parse(read(file)).config ?? {};
      const unquoted = Object.entries(config)
        .filter(([, v]) => v !== null && typeof v !== "object" && typeof v !== "string")
        .map(([k]) => k);
      assert.deepEqual(unquoted, []);
    });
  }
});
