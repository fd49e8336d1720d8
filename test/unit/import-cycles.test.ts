// No import circles in the migration engine (#21 item 4): every relative import of migrator/, type-only ones
// included (a type import still ties the files' designs together), must form a graph without a cycle.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"|\brequire\("(\.[^"]+)"\)/g;

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
}

/** The import graph of the files under `dir`; edges leaving the directory are dropped. */
export function importGraph(dir: string): Map<string, string[]> {
  const files = tsFiles(dir);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const targets = [...text.matchAll(IMPORT)]
      .map((m) => resolve(file, m[1] ?? m[2]))
      .filter((t): t is string => t !== undefined && files.includes(t));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle found by a depth-first search, each as a list of files. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe("import cycles", () => {
  it("finds a cycle when there is one (the check itself can fail)", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    assert.deepEqual(cycles(graph), [["a", "b", "c", "a"]]);
    assert.deepEqual(
      cycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
      [],
    );
  });

  it("migrator/ has none", () => {
    const graph = importGraph(path.join(ROOT, "migrator"));
    assert.ok(graph.size > 20, "the scan sees the engine's files");
    assert.ok(
      [...graph.values()].some((t) => t.length > 0),
      "the scan sees imports",
    );
    const found = cycles(graph).map((c) => c.map((f) => path.relative(ROOT, f)).join(" → "));
    assert.deepEqual(found, []);
  });

  it("testbed/standins/ has none (docker-container and docker-services share docker-view instead)", () => {
    const graph = importGraph(path.join(ROOT, "testbed", "standins"));
    assert.ok(graph.size >= 8, "the scan sees the stand-ins");
    const found = cycles(graph).map((c) => c.map((f) => path.relative(ROOT, f)).join(" → "));
    assert.deepEqual(found, []);
  });
});
