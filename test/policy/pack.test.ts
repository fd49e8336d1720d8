// `pulumi policy publish` packs policy/ on its own (npm pack) and installs its package.json dependencies: the
// pack must import nothing outside its folder and declare every package it imports, at the versions the
// project runs.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../testbed/stack";

const PACK = path.join(ROOT, "policy");
const pack = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8"));
const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const sources = fs.readdirSync(PACK).filter((f) => f.endsWith(".ts"));

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(PACK, file), "utf8");
  return [...text.matchAll(/(?:from|require\()\s*"([^"]+)"/g)].map((m) => m[1]);
}

describe("policy pack is self-contained for `pulumi policy publish`", () => {
  it("imports nothing outside policy/", () => {
    for (const file of sources)
      for (const spec of importsOf(file).filter((s) => s.startsWith(".")))
        assert.ok(path.resolve(PACK, spec).startsWith(PACK + path.sep), `${file} imports ${spec}`);
  });

  it("declares every package it imports, at the version the project itself runs", () => {
    const declared = { ...pack.dependencies };
    const used = new Set(
      sources
        .flatMap(importsOf)
        .filter((s) => !s.startsWith(".") && !s.startsWith("node:"))
        .map((s) => s.split("/").slice(0, 2).join("/")),
    );
    for (const name of used) {
      assert.ok(declared[name], `policy/package.json declares ${name}`);
      const rootVersion = root.dependencies[name] ?? root.devDependencies[name];
      assert.equal(declared[name], rootVersion, `${name} pinned like the project`);
    }
    assert.equal(
      pack.dependencies["@pulumi/pulumi"],
      root.dependencies["@pulumi/pulumi"],
      "the pack's runtime",
    );
  });

  it("packs its entry point, rules and PulumiPolicy.yaml, with a tsconfig that extends nothing outside", () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(PACK, "tsconfig.json"), "utf8"));
    assert.equal(tsconfig.extends, undefined);
    const [listing] = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: PACK,
        encoding: "utf8",
      }),
    );
    const files = listing.files.map((f: { path: string }) => f.path);
    for (const needed of [
      "PulumiPolicy.yaml",
      "package.json",
      pack.main,
      ...sources.filter((f) => f !== "offline.ts"),
    ])
      assert.ok(files.includes(needed), `${needed} is packed`);
  });
});
