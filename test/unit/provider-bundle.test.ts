import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleFile, readBundle, sourceHash } from "../../stack/dynamic/bundle-file";
import { RunError } from "@pulumi/pulumi";
import {
  EXTERNAL_PACKAGES,
  PREBUILT_PROVIDERS,
  type PrebuiltProviderName,
} from "../../stack/dynamic/providers";
import { ROOT, buildProviderBundle } from "../../tools/bundle-provider";

const NAMES = Object.keys(PREBUILT_PROVIDERS) as PrebuiltProviderName[];
const ENTRY = PREBUILT_PROVIDERS.schemaMigrations.entry;

/** The header's `// sources:` list: every input esbuild read, with the hash of its text at build time. */
function recordedSources(bundle: string): Record<string, string> {
  return JSON.parse(bundle.split("\n")[1].replace("// sources: ", ""));
}

describe("prebuilt provider bundles (build/providers/*.js, made by npm run build)", () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-bundle-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is not in git: generated code lives in the git-ignored build/ output", () => {
    const tracked = spawnSync("git", ["ls-files", "--", "build"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(tracked.stdout, "");
  });

  it("each built bundle is what tools/bundle-provider.ts builds from the current sources", () => {
    for (const name of NAMES)
      assert.ok(
        readBundle(bundleFile(name)) === buildProviderBundle(name),
        `build/providers/${name}.js is out of date: run npm run build`,
      );
  });

  it("each bundle exports its provider, with the methods the host calls, and loads without Pulumi", () => {
    for (const name of NAMES) {
      const module = { exports: {} as Record<string, unknown> };
      new Function("exports", "require", "module", readBundle(bundleFile(name)))(
        module.exports,
        require,
        module,
      );
      const provider = module.exports[PREBUILT_PROVIDERS[name].exportName] as Record<string, unknown>;
      assert.equal(typeof provider?.create, "function", `${name}: create`);
      assert.equal(typeof provider?.diff, "function", `${name}: diff`);
    }
  });

  it("records every module esbuild bundled, imported directly or not, with its current hash, and no package", () => {
    const sources = recordedSources(buildProviderBundle("schemaMigrations"));
    // Reached only through migrator/lint/index.ts and migrator/index.ts: a list of the entry's own imports
    // would miss an edit there.
    for (const id of [
      ENTRY,
      "migrator/lint/parser.ts",
      "migrator/runner.ts",
      "stack/schema/legacy-logins.ts",
    ])
      assert.equal(sources[id], sourceHash(ROOT, id), id);
    for (const name of NAMES)
      assert.deepEqual(
        Object.keys(recordedSources(buildProviderBundle(name))).filter(
          (id) => !/^(stack|migrator)\/.*\.ts$/.test(id),
        ),
        [],
        `${name}: only project sources are bundled; packages stay external`,
      );
  });

  it("the program refuses a missing bundle, naming npm run build", () => {
    assert.throws(
      () => readBundle(bundleFile("configGuard", dir), dir),
      /build\/providers\/configGuard\.js is missing: .* Run `npm run build`\./,
    );
  });

  it("the program refuses a bundle built from other sources, naming the changed file and npm run build", () => {
    // A copy of the bundled sources, one of which is then edited after the build (as a merge or an edit
    // would).
    const bundle = buildProviderBundle("schemaMigrations");
    const ids = Object.keys(recordedSources(bundle));
    for (const id of ids) {
      fs.mkdirSync(path.join(dir, path.dirname(id)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, id), path.join(dir, id));
    }
    const file = bundleFile("schemaMigrations", dir);
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
    const dynamic = path.join(project, "stack", "dynamic");
    fs.mkdirSync(dynamic, { recursive: true });
    for (const f of ["package.json", "Pulumi.yaml"])
      fs.copyFileSync(path.join(ROOT, f), path.join(project, f));
    for (const f of ["prebuilt-resource.ts", "providers.ts", "bundle-file.ts"])
      fs.copyFileSync(path.join(ROOT, "stack", "dynamic", f), path.join(dynamic, f));
    const run = spawnSync(
      process.execPath,
      [
        "-r",
        path.join(ROOT, "tools", "ts-register.cjs"),
        "-e",
        'require("./stack/dynamic/prebuilt-resource").prebuiltProviderText("serviceLiveness")',
      ],
      { cwd: project, encoding: "utf8", env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") } },
    );
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /build\/providers\/serviceLiveness\.js is missing: .*Run `npm run build`/);
  });

  it("each requires nothing but node builtins and the listed packages (pg, libpg-query, ioredis), nothing relative", () => {
    const allowed: readonly string[] = EXTERNAL_PACKAGES;
    for (const name of NAMES) {
      const requires = [...buildProviderBundle(name).matchAll(/(?<![\w.])require\("([^"]+)"\)/g)].map(
        (m) => m[1],
      );
      assert.deepEqual(
        [...new Set(requires)].filter((r) => !r.startsWith("node:") && !allowed.includes(r)),
        [],
        name,
      );
    }
  });
});
