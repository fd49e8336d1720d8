// Markdown as GitHub renders it, as far as the docs tests need: fenced blocks, inline code, headings (outside
// fenced blocks) and their anchors, relative links, and the runbook's task sections.

/** A fenced block, indented or not (inside a list item): its language and its text. */
const FENCE = /^[ \t]*```(\w*)[^\n]*\n([\s\S]*?)^[ \t]*```[^\n]*$/gm;

export function fencedBlocks(text: string): { language: string; body: string }[] {
  return [...text.matchAll(FENCE)].map((m) => ({ language: m[1], body: m[2] }));
}

/** The inline code spans outside fenced blocks, paired within each paragraph (a span may wrap a line). */
export function inlineSpans(text: string): string[] {
  const paragraphs = text.replace(FENCE, "").split(/\n\s*\n/);
  return paragraphs.flatMap((p) => [...p.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
}

/** The text without fenced blocks and inline code: `# x` or `[x](y)` in code is no heading or link. */
const prose = (text: string) => text.replace(FENCE, "").replace(/`[^`\n]*`/g, "``");

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as hyphens; repeats get -1, -2. */
export function headingSlugs(text: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of text.replace(FENCE, "").matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/** Relative links `[text](file.md#anchor)` / `(#anchor)` outside code; absolute URLs are not checked. */
export function markdownLinks(text: string): { target: string; anchor: string }[] {
  const links: { target: string; anchor: string }[] = [];
  for (const m of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(m[1])) continue;
    const [target, anchor = ""] = m[1].split("#", 2);
    links.push({ target, anchor });
  }
  return links;
}

export interface TaskSection {
  readonly title: string;
  /** Lines from below the heading to the first `###` (or the next `##`), trailing blank lines dropped. */
  readonly stepLines: number;
  /** The `###` headings inside the section. */
  readonly subheadings: string[];
}

/** The `##` sections that the rows of the runbook's "Tasks" table link as `(#anchor)`. */
export function taskSections(runbook: string): TaskSection[] {
  const section = /^## Tasks\n([\s\S]*?)^## /m.exec(runbook)?.[1] ?? "";
  const index = section
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .join("\n");
  const linked = new Set(
    markdownLinks(index)
      .filter((l) => !l.target)
      .map((l) => l.anchor),
  );
  const lines = runbook.split("\n");
  const inFence = fenceMask(lines);
  const sections: TaskSection[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (inFence[i] || !lines[i].startsWith("## ")) continue;
    const title = lines[i].slice(3);
    if (![...headingSlugs(lines[i])].some((s) => linked.has(s))) continue;
    let end = i + 1;
    while (end < lines.length && (inFence[end] || !lines[end].startsWith("## "))) end++;
    const body = lines.slice(i + 1, end);
    const firstSub = body.findIndex((l, k) => !inFence[i + 1 + k] && l.startsWith("### "));
    const steps = firstSub === -1 ? body : body.slice(0, firstSub);
    while (steps.length && steps[steps.length - 1].trim() === "") steps.pop();
    while (steps.length && steps[0].trim() === "") steps.shift();
    const subheadings = body
      .filter((l, k) => !inFence[i + 1 + k] && l.startsWith("### "))
      .map((l) => l.slice(4));
    sections.push({ title, stepLines: steps.length, subheadings });
  }
  return sections;
}

/** Whether each line is inside a fenced block (fence lines included). */
function fenceMask(lines: string[]): boolean[] {
  let open = false;
  return lines.map((l) => {
    if (/^[ \t]*```/.test(l)) {
      open = !open;
      return true;
    }
    return open;
  });
}
