// The docs as a newcomer reads them: every relative link in README.md and docs/ reaches a file and, with an
// `#anchor`, a heading of that file (GitHub's slugs); every task the runbook index links fits on one screen,
// its reasoning below the steps under a "Why" heading.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../testbed/root";
import { headingSlugs, markdownLinks, taskSections } from "../support/markdown";

const DOCS = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((d) =>
  d.endsWith(".md"),
);
const read = (doc: string) => fs.readFileSync(path.join(ROOT, doc), "utf8");

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

function sourceFiles(dirs: string[]): string[] {
  return dirs.flatMap((dir) =>
    fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => path.join(dir, f)),
  );
}

/** A task's steps (heading to its first subheading) on one screen. */
const MAX_STEP_LINES = 35;

describe("docs: links and runbooks", () => {
  it("every relative link reaches an existing file and heading", () => {
    const broken: string[] = [];
    for (const doc of DOCS)
      for (const { target, anchor } of markdownLinks(read(doc))) {
        const file = target ? path.posix.normalize(path.posix.join(path.posix.dirname(doc), target)) : doc;
        if (!fs.existsSync(path.join(ROOT, file))) {
          broken.push(`${doc}: ${target}: no such file`);
          continue;
        }
        if (anchor && file.endsWith(".md") && !headingSlugs(read(file)).has(anchor))
          broken.push(`${doc}: ${target}#${anchor}: no heading with that anchor in ${file}`);
      }
    assert.deepEqual(broken, []);
  });

  it('every product message citing docs/x.md "Section" names a heading or bold phrase there', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(["stack", "cli", "migrator", "policy"]))
      for (const m of fs
        .readFileSync(path.join(ROOT, file), "utf8")
        .matchAll(/docs\/([\w-]+\.md) "([^"]+)"/g)) {
        const doc = read(`docs/${m[1]}`);
        const cited = new RegExp(`^#+ .*${escape(m[2])}|\\*\\*${escape(m[2])}`, "m");
        if (!cited.test(doc)) missing.push(`${file}: docs/${m[1]} "${m[2]}"`);
      }
    assert.deepEqual(missing, []);
  });

  const runbooks = read("docs/runbooks.md");
  const tasks = taskSections(runbooks);

  it("the runbook index links every task a platform engineer comes for", () => {
    const titles = tasks.map((t) => t.title.toLowerCase());
    for (const task of ["rotate", "migration", "restore", "preview prod", "tear down", "redis is full"])
      assert.ok(
        titles.some((t) => t.includes(task)),
        `docs/runbooks.md's Tasks table links no section about "${task}": ${titles.join(", ")}`,
      );
  });

  it(`each task's steps fit on a screen (≤ ${MAX_STEP_LINES} lines), the reasoning under "Why" below`, () => {
    const long = tasks
      .filter((t) => t.stepLines > MAX_STEP_LINES)
      .map(
        (t) => `${t.title}: ${t.stepLines} lines of steps before its first "###" (move the reasoning below)`,
      );
    assert.deepEqual(long, []);
    const unlabelled = tasks.flatMap((t) =>
      t.subheadings.filter((h) => !/^Why\b/.test(h)).map((h) => `${t.title}: "### ${h}" (name it "Why…")`),
    );
    assert.deepEqual(unlabelled, []);
  });

  it("the check sees a broken anchor and a long task (a mutated copy)", () => {
    const mutated = runbooks.replace("## Tear down\n", `## Tear down\n${"step\n".repeat(40)}`);
    assert.ok(taskSections(mutated).some((t) => t.title === "Tear down" && t.stepLines > MAX_STEP_LINES));
    assert.ok(!headingSlugs(runbooks).has("rotate-a-secrets"));
    assert.ok(headingSlugs(runbooks).has("rotate-a-secret"));
    assert.deepEqual(markdownLinks("[a](x.md#b) [c](#d) [e](https://x.y/z#q) `[f](g.md)`"), [
      { target: "x.md", anchor: "b" },
      { target: "", anchor: "d" },
    ]);
  });
});
