// The shell lines README.md and docs/ tell a reader to type: every line of a fenced bash block, and each
// inline span that runs a command. A span counts when it runs one of our commands (`npm run …`,
// `offthegrid-…` anywhere in it, e.g. after a crontab schedule), starts with `pulumi <command>` (only at
// the start: a quoted message "… while pulumi ran …" mentions it in prose), or starts with a program the
// docs check (test/support/tool-flags.ts) and gives it arguments (a bare `pg_dump` names the program).
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../testbed/root";
import { fencedBlocks, inlineSpans } from "./markdown";
import { simpleCommands } from "./shell-line";
import { TOOLS } from "./tool-flags";

export interface Line {
  readonly doc: string;
  readonly text: string;
}

export const docFiles = (): string[] =>
  ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((d) =>
    d.endsWith(".md"),
  );

const CRON_SCHEDULE = /^(?:[\d*/,-]+\s+){5}(?=[a-z])/;

export function documentedLines(): Line[] {
  const lines: Line[] = [];
  for (const doc of docFiles()) {
    const text = fs.readFileSync(path.join(ROOT, doc), "utf8");
    for (const block of fencedBlocks(text))
      for (const raw of block.language === "bash" ? block.body.split("\n") : []) {
        const line = raw.replace(/\s+#.*$/, "").trim();
        if (line && !line.startsWith("#")) lines.push({ doc, text: line });
      }
    for (const span of inlineSpans(text)) {
      const command = span
        .replace(/\s*\n\s*/g, " ")
        .replace(CRON_SCHEDULE, "")
        .trim();
      const ours = /(?:^|\s)(?:npm run |offthegrid-(?:db|migrate)\b)/.test(command);
      const first = simpleCommands(command)[0] ?? [];
      const tool = first.length > 1 && first[0] in TOOLS;
      if (ours || tool || /^(?:[A-Z_]+=\S+\s+)*pulumi [a-z]/.test(command))
        lines.push({ doc, text: command });
    }
  }
  return lines;
}
