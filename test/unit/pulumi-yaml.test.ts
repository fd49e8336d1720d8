import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { keys } from "../../config/keys";
import { projectDefault } from "../../config/spec";
import { ROOT } from "../../harness/stack";

describe("Pulumi.yaml config schema", () => {
  const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
  const declared: Record<string, any> = project.config;

  it("names the project and the TypeScript runtime", () => {
    assert.equal(project.name, "offthegrid-database");
    assert.equal(project.runtime.name, "nodejs");
    assert.equal(project.runtime.options.typescript, true);
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

  for (const [name, spec] of Object.entries(keys)) {
    it(`${name}: same type, description and default as config/keys.ts`, () => {
      const entry = declared[name];
      assert.equal(entry.type, spec.type);
      assert.equal(entry.description, spec.description);
      assert.deepEqual(entry.default, projectDefault(spec));
      if (spec.default !== undefined) {
        const raw = typeof entry.default === "string" ? entry.default : JSON.stringify(entry.default);
        assert.deepEqual(spec.parse(raw), entry.default, "the default passes the program's own validation");
      }
    });
  }

  it("README documents every key in a config table row", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const missing = Object.keys(keys).filter(
      (name) => !new RegExp(`^\\| \`${name}\` +\\|`, "m").test(readme),
    );
    assert.deepEqual(missing, []);
  });
});
