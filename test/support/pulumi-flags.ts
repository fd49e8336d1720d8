// A `pulumi …` line from the docs, checked against the real CLI's own help (the version the suite builds):
// each word before the first argument must be a command (aliases count), and each flag one the command or the
// global flags declare, a value taken where the flag takes one. `pulumi config set --json` (gone in 3.274)
// fails here.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { Engine, engineEnv, defaultHome, existingEngine } from "../../testbed/engine/cli";

interface Help {
  /** The command path the help is for (aliases resolved), e.g. ["stack", "new"]. */
  readonly path: string[];
  /** Flag → whether it takes a value; short names as "-s". */
  readonly flags: Map<string, boolean>;
}

const cache = new Map<string, Help>();
let engine: Engine | undefined;

function help(words: string[]): Help {
  const key = words.join(" ");
  const cached = cache.get(key);
  if (cached) return cached;
  // A unit test does not build the CLI (minutes): `npm test` runs `npm run -s engine` before mocha.
  engine ??= existingEngine();
  if (!engine)
    throw new Error(
      "no Pulumi CLI to read flags from: run `npm run -s engine` once (it builds or finds one)",
    );
  const r = spawnSync(engine.pulumi, [...words, "--help"], {
    encoding: "utf8",
    env: engineEnv(engine, defaultHome()),
  });
  const text = r.stdout;
  const usage = /Usage:\n\s+pulumi((?: [a-z][\w-]*)*)/.exec(text);
  const path = usage ? usage[1].trim().split(" ").filter(Boolean) : [];
  const flags = new Map<string, boolean>();
  for (const m of text.matchAll(/^\s+(?:-(\S), )?--([\w-]+)( \S+)?\s{2,}/gm)) {
    flags.set(`--${m[2]}`, m[3] !== undefined);
    if (m[1]) flags.set(`-${m[1]}`, m[3] !== undefined);
  }
  const result = { path, flags };
  cache.set(key, result);
  return result;
}

/** A problem with `pulumi <argv>`, or undefined when the CLI would accept its command and flags. */
export function pulumiLineProblem(argv: readonly string[]): string | undefined {
  let command: string[] = [];
  let h = help([]);
  let i = 0;
  for (; i < argv.length && !argv[i].startsWith("-"); i++) {
    const next = help([...command, argv[i]]);
    if (next.path.length !== h.path.length + 1) break; // an argument, not a subcommand
    command = [...command, argv[i]];
    h = next;
  }
  if (command.length === 0) return `pulumi ${argv[0] ?? ""}: not a pulumi command`;
  for (; i < argv.length; i++) {
    const token = argv[i];
    if (token === "--") break;
    if (!token.startsWith("-") || token === "-") continue;
    const [name, inline] = token.split("=", 2);
    const takesValue = h.flags.get(name);
    if (takesValue === undefined) return `pulumi ${h.path.join(" ")}: unknown flag ${name}`;
    if (takesValue && inline === undefined) i++;
  }
  return undefined;
}

let binary: Buffer | undefined;
/** Whether the pulumi CLI names an environment variable (it reads each by its literal name). */
export function pulumiReads(name: string): boolean {
  engine ??= existingEngine();
  if (!engine)
    throw new Error("no Pulumi CLI to read: run `npm run -s engine` once (it builds or finds one)");
  binary ??= fs.readFileSync(engine.pulumi);
  return binary.includes(name);
}
