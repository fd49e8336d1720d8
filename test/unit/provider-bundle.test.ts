import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BUNDLE_FILE, readBundle } from "../../components/schema/bundle-file";
import { ROOT, buildProviderBundle } from "../../tools/bundle-provider";

describe("provider bundle (build/provider.bundle.js, made by npm run build)", () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-bundle-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is not in git: generated code lives in the git-ignored build/ output", () => {
    const tracked = spawnSync("git", ["ls-files", "--", "*.bundle.js", "build"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(tracked.stdout, "");
  });

  it("the built bundle is what tools/bundle-provider.ts builds from the current sources", () => {
    assert.ok(
      readBundle() === buildProviderBundle(),
      "build/provider.bundle.js is out of date: run npm run build",
    );
  });

  it("requires nothing but node builtins, pg and the lint's parser (libpg-query), and nothing relative", () => {
    const requires = [...buildProviderBundle().matchAll(/(?<![\w.])require\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.deepEqual(
      [...new Set(requires)].filter((r) => !r.startsWith("node:") && r !== "pg" && r !== "libpg-query"),
      [],
    );
  });
});
