import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readBundle, sourceHash } from "../../stack/schema/bundle-file";
import { RunError } from "@pulumi/pulumi";
import { ENTRY, ROOT, buildProviderBundle } from "../../tools/bundle-provider";

/** The header's `// sources:` list: every input esbuild read, with the hash of its text at build time. */
function recordedSources(bundle: string): Record<string, string> {
  return JSON.parse(bundle.split("\n")[1].replace("// sources: ", ""));
}

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

  it("records every module esbuild bundled, imported directly or not, with its current hash, and no package", () => {
    const sources = recordedSources(buildProviderBundle());
    // Reached only through migrator/lint/index.ts and migrator/index.ts: a list of the entry's own imports
    // would miss an edit there.
    for (const id of [
      ENTRY,
      "migrator/lint/parser.ts",
      "migrator/runner.ts",
      "stack/schema/legacy-logins.ts",
    ])
      assert.equal(sources[id], sourceHash(ROOT, id), id);
    assert.deepEqual(
      Object.keys(sources).filter((id) => !/^(stack|migrator)\/.*\.ts$/.test(id)),
      [],
      "only project sources are bundled; pg and libpg-query stay external",
    );
  });

  it("the program refuses a missing bundle, naming npm run build", () => {
    assert.throws(
      () => readBundle(path.join(dir, "build", "provider.bundle.js"), dir),
      /build\/provider\.bundle\.js is missing: .* Run `npm run build`\./,
    );
  });

  it("the program refuses a bundle built from other sources, naming the changed file and npm run build", () => {
    // A copy of the bundled sources, one of which is then edited after the build (as a merge or an edit
    // would).
    const bundle = buildProviderBundle();
    const ids = Object.keys(recordedSources(bundle));
    for (const id of ids) {
      fs.mkdirSync(path.join(dir, path.dirname(id)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, id), path.join(dir, id));
    }
    const file = path.join(dir, "build", "provider.bundle.js");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bundle);
    assert.equal(readBundle(file, dir), bundle);
    fs.appendFileSync(path.join(dir, "migrator/runner.ts"), "\n// edited after the build\n");
    assert.throws(() => readBundle(file, dir), /changed: migrator\/runner\.ts\): run `npm run build`/);
    // The language host prints a RunError as its message alone (no "unhandled exception", no stack frames).
    assert.throws(
      () => readBundle(file, dir),
      (err: unknown) => RunError.isInstance(err),
    );
    fs.writeFileSync(file, bundle.replace(/^\/\/ sources: .*$/m, "// no list"));
    assert.throws(() => readBundle(file, dir), /no source list/);
  });

  it("the program itself fails with that message when build/ has no bundle", () => {
    // The real modules, copied into a project folder without build/ (the checkout's own bundle stays in place
    // for the tests running beside this one), loaded in a child process.
    const project = path.join(dir, "no-build");
    const schema = path.join(project, "stack", "schema");
    fs.mkdirSync(schema, { recursive: true });
    for (const f of ["package.json", "Pulumi.yaml"])
      fs.copyFileSync(path.join(ROOT, f), path.join(project, f));
    for (const f of ["bundled-provider.ts", "bundle-file.ts"])
      fs.copyFileSync(path.join(ROOT, "stack", "schema", f), path.join(schema, f));
    const run = spawnSync(
      process.execPath,
      ["-r", path.join(ROOT, "tools", "ts-register.cjs"), "-e", 'require("./stack/schema/bundled-provider")'],
      { cwd: project, encoding: "utf8" },
    );
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /build\/provider\.bundle\.js is missing: .*Run `npm run build`/);
  });

  it("requires nothing but node builtins, pg and the lint's parser (libpg-query), and nothing relative", () => {
    const requires = [...buildProviderBundle().matchAll(/(?<![\w.])require\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.deepEqual(
      [...new Set(requires)].filter((r) => !r.startsWith("node:") && r !== "pg" && r !== "libpg-query"),
      [],
    );
  });
});
