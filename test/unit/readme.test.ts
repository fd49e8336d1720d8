import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../testbed/stack";

describe("README", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const layout = readme.slice(
    readme.indexOf("## Layout"),
    readme.indexOf("\n## ", readme.indexOf("## Layout") + 1),
  );

  it("stays short: under 200 lines (reference material lives in docs/)", () => {
    assert.ok(readme.split("\n").length < 200, `${readme.split("\n").length} lines`);
  });

  it("lists every top-level folder of the checkout in its layout table", () => {
    // Tracked folders (not whatever a developer has lying around, e.g. backups/ or .pulumi/), plus build/.
    const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
      .split("\n")
      .filter((f) => f.includes("/"))
      .map((f) => f.slice(0, f.indexOf("/")));
    const folders = [...new Set([...tracked, "build"])];
    const missing = folders.filter((name) => !layout.includes(`| \`${name}/\``));
    assert.deepEqual(missing, []);
  });

  it("links every document in docs/", () => {
    const docs = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md"));
    assert.deepEqual(
      docs.filter((f) => !readme.includes(`(docs/${f})`)),
      [],
    );
  });
});
