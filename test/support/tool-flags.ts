// A doc line for a program other than ours and `pulumi` (test/support/pulumi-flags.ts), checked against the
// program's own help, read at test time: its subcommand must exist and each flag must be one the help lists,
// so a flag the installed tool does not have fails. apt-get lists no options in its help: the line runs in
// simulation mode (`apt-get -s`), which parses it as the real command does and changes nothing.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "../../testbed/root";

/** A problem with `<program> <args>`, or undefined when the program would accept its command and flags. */
type Checker = (args: string[]) => string | undefined;

const helpCache = new Map<string, { status: number | null; text: string }>();

function helpText(program: string, args: string[]): { status: number | null; text: string } {
  const key = [program, ...args].join("\0");
  const cached = helpCache.get(key);
  if (cached) return cached;
  const r = spawnSync(program, args, { encoding: "utf8", env: { ...process.env, PAGER: "cat", LANG: "C" } });
  // `aws … help` renders a man page: drop the overstrike (`N\bN`) that marks bold text.
  const text = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.replace(/.\x08/g, "");
  const result = { status: r.error ? null : r.status, text };
  helpCache.set(key, result);
  return result;
}

/**
 * The flags a help text lists: on each line that starts (after indentation) with `-`, the flags before the
 * description (two or more spaces apart). Covers `-D, --tablespace=X`, `-1 ("one"), --single-transaction`,
 * `-h <hostname>`, `--porcelain[=<version>]` and openssl's `-new`.
 */
export function optionFlags(help: string): Set<string> {
  const flags = new Set<string>();
  for (const line of help.split("\n")) {
    const m = /^\s*(-.*)$/.exec(line);
    if (!m) continue;
    const head = m[1].split(/\s{2,}|\t/)[0];
    for (const f of head.matchAll(/(?:^|[\s,[|])(-{1,2}[A-Za-z0-9?@][\w-]*)/g)) flags.add(f[1]);
  }
  return flags;
}

/** The first flag in `args` that `flags` does not list (bundled short flags, `-rf`, count per letter). */
export function unknownFlag(args: readonly string[], flags: ReadonlySet<string>): string | undefined {
  for (const arg of args) {
    if (arg === "--") return undefined;
    if (!arg.startsWith("-") || arg === "-") continue;
    const name = arg.split("=", 1)[0];
    if (flags.has(name)) continue;
    if (/^-[A-Za-z0-9]{2,}$/.test(name) && [...name.slice(1)].every((c) => flags.has(`-${c}`))) continue;
    return name;
  }
  return undefined;
}

/** A program whose `<program> --help` lists its flags (one command, no subcommands). */
function flatTool(program: string, helpFlag = "--help", executable = program): Checker {
  return (args) => {
    const { status, text } = helpText(executable, [helpFlag]);
    if (status === null) return `${program}: not installed (.ci/run installs it)`;
    const bad = unknownFlag(args, optionFlags(text));
    return bad && `${program}: unknown flag ${bad} (not in \`${program} ${helpFlag}\`)`;
  };
}

/** The leading words of `args` that name a command: lowercase words before any flag or other word. */
function commandWords(args: string[], max: number): string[] {
  const words: string[] = [];
  for (const a of args.slice(0, max)) {
    if (!/^[a-z][\w-]*$/.test(a)) break;
    words.push(a);
  }
  return words;
}

/** docker: `docker <command> [<subcommand>] --help`, whose usage line names the command path it resolved. */
const docker: Checker = (args) => {
  const path: string[] = [];
  let usage = "";
  for (const word of commandWords(args, 2)) {
    const { status, text } = helpText("docker", [...path, word, "--help"]);
    if (status === null) return "docker: not installed (.ci/run installs Debian's docker.io for its client)";
    const m = /Usage:\s+docker((?: [a-z][\w-]*)*)(.*)/.exec(text);
    const resolved = m ? m[1].trim().split(" ").filter(Boolean) : [];
    if (resolved.length !== path.length + 1) break; // an argument, not a command
    path.push(word);
    usage = m![2];
  }
  if (path.length === 0) return `docker ${args[0] ?? ""}: not a docker command`;
  const rest = args.slice(path.length);
  if (/^\s*COMMAND/.test(usage) && rest[0] && !rest[0].startsWith("-"))
    return `docker ${path.join(" ")} ${rest[0]}: not a docker command`;
  const bad = unknownFlag(rest, optionFlags(helpText("docker", [...path, "--help"]).text));
  return bad && `docker ${path.join(" ")}: unknown flag ${bad}`;
};

/** aws: `aws <service> <operation> help`, a man page whose SYNOPSIS and GLOBAL OPTIONS list every flag. */
const aws: Checker = (args) => {
  const path = commandWords(args, 2);
  const { status, text } = helpText("aws", [...path, "help"]);
  if (status === null) return "aws: not installed (.ci/run installs Debian's awscli)";
  if (status !== 0 || path.length === 0) return `aws ${path.join(" ")}: not an aws command`;
  const flags = new Set<string>();
  const sections = /^SYNOPSIS$([\s\S]*?)^OPTIONS$|^GLOBAL OPTIONS$([\s\S]*?)^[A-Z][A-Z ]+$/gm;
  for (const s of text.matchAll(sections))
    for (const f of (s[1] ?? s[2]).matchAll(/--[a-z][\w-]*/g)) flags.add(f[0]);
  const bad = unknownFlag(args.slice(path.length), flags);
  return bad && `aws ${path.join(" ")}: unknown flag ${bad} (not in \`aws ${path.join(" ")} help\`)`;
};

/** A program with one level of subcommands and `<program> <command> <helpFlag>` (git, openssl). */
function subcommandTool(
  program: string,
  helpFlag: string,
  known: (text: string, cmd: string) => boolean,
): Checker {
  return (args) => {
    const [cmd] = commandWords(args, 1);
    const { status, text } = helpText(program, [cmd ?? "", helpFlag]);
    if (status === null) return `${program}: not installed`;
    if (!cmd || !known(text, cmd)) return `${program} ${args[0] ?? ""}: not a ${program} command`;
    const bad = unknownFlag(args.slice(1), optionFlags(text));
    return bad && `${program} ${cmd}: unknown flag ${bad} (not in \`${program} ${cmd} ${helpFlag}\`)`;
  };
}

/** A bash builtin: flags from the synopsis line of `help <builtin>` (`cd [-L|[-P [-e]] [-@]] [dir]`). */
function builtin(name: string): Checker {
  return (args) => {
    const synopsis = helpText("bash", ["-c", `help ${name}`]).text.split("\n")[0];
    const flags = new Set<string>();
    for (const group of synopsis.matchAll(/\[-([A-Za-z@]+)/g)) for (const c of group[1]) flags.add(`-${c}`);
    const bad = unknownFlag(args, flags);
    return bad && `${name}: unknown flag ${bad} (bash's \`help ${name}\`: ${synopsis})`;
  };
}

/** `kill -9`, `kill -TERM`: the signal must be one `kill -l` names. */
const kill: Checker = (args) => {
  const names = helpText("bash", ["-c", "kill -l"]).text;
  for (const a of args.filter((x) => x.startsWith("-"))) {
    const sig = a.slice(1).replace(/^SIG/, "");
    const known = /^\d+$/.test(sig)
      ? names.includes(`${sig}) SIG`)
      : names.includes(`SIG${sig}\t`) || names.includes(`SIG${sig}\n`);
    if (!known) return `kill: ${a} is not a signal (\`kill -l\`)`;
  }
  return undefined;
};

/** apt-get lists no options: the line runs simulated (`-s`), which refuses an unknown option or operation. */
const aptGet: Checker = (args) => {
  const r = spawnSync("apt-get", ["-s", ...args], { encoding: "utf8", env: { ...process.env, LANG: "C" } });
  if (r.error) return "apt-get: not installed";
  if (r.status === 0) return undefined;
  const error = r.stderr.split("\n").find((l) => l.startsWith("E:")) ?? `exit ${r.status}`;
  return `apt-get ${args.join(" ")}: ${error}`;
};

/**
 * Homebrew (macOS; no binary here or on Debian): the commands and flags the docs use, from
 * https://docs.brew.sh/Manpage (`install [options] formula|cask [...]`, Homebrew 4.x, read 2026-12).
 */
const BREW: Record<string, readonly string[]> = {
  install: ["-d", "--debug", "-f", "--force", "-v", "--verbose", "-q", "--quiet", "--formula", "--cask"],
};
const brew: Checker = (args) => {
  const flags = BREW[args[0]];
  if (!flags) return `brew ${args[0] ?? ""}: not in the brew table of test/support/tool-flags.ts`;
  const bad = unknownFlag(args.slice(1), new Set(flags));
  return bad && `brew ${args[0]}: unknown flag ${bad} (https://docs.brew.sh/Manpage)`;
};

/** Every program other than ours and `pulumi` that the docs may name, with how its lines are checked. */
export const TOOLS: Record<string, Checker> = {
  createdb: flatTool("createdb"),
  psql: flatTool("psql"),
  pg_dump: flatTool("pg_dump"),
  pg_restore: flatTool("pg_restore"),
  "redis-cli": flatTool("redis-cli"),
  jq: flatTool("jq"),
  chmod: flatTool("chmod"),
  grep: flatTool("grep"),
  mktemp: flatTool("mktemp"),
  node: flatTool("node"),
  sha256sum: flatTool("sha256sum"),
  tsc: flatTool("tsc", "--all", path.join(ROOT, "node_modules", ".bin", "tsc")),
  openssl: subcommandTool("openssl", "-help", (text) => !/Invalid command/.test(text)),
  git: subcommandTool("git", "-h", (text, cmd) => text.includes(`usage: git ${cmd}`)),
  docker,
  aws,
  "apt-get": aptGet,
  brew,
  kill,
  cd: builtin("cd"),
  export: builtin("export"),
};
