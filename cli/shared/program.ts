// The one shape both CLIs share (offthegrid-migrate, offthegrid-db): a program is a list of commands, a command
// declares its arguments and flags (one line per flag) and has one handler. The parser, the usage text, the error
// type and the exit codes live here, so the two CLIs cannot drift apart.
import { Io } from "./io";

/** Exit codes of every command of both CLIs. */
export const EXIT = {
  /** Done; or healthy. */
  ok: 0,
  /** The operation failed (a migration, a check, a backup), or a health check found a store down. */
  failed: 1,
  /** Bad command line or missing configuration (e.g. no DATABASE_URL): nothing was attempted. */
  usage: 2,
  /** health only: reachable and working, but not as it should be (e.g. pending migrations, replica lag). */
  degraded: 3,
} as const;

/** A mistake in how the command was called: exits 2 and points at --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface Flag {
  readonly name: `--${string}`;
  /** Placeholder of the value the flag takes (e.g. "URL"); absent for a switch. */
  readonly value?: string;
  readonly help: string;
  /** Environment variable read when the flag is absent. */
  readonly env?: string;
}

export interface Args {
  readonly positionals: readonly string[];
  /** The flags as given (switches map to true), for helpers that read several forms of one setting. */
  readonly flags: ReadonlyMap<string, string | true>;
  has(flag: `--${string}`): boolean;
  /** The flag's value, else its environment variable, else undefined. */
  value(flag: `--${string}`): string | undefined;
  /** Like value(), but a UsageError naming the flag, its variable and `purpose` when neither is set. */
  required(flag: `--${string}`, purpose: string): string;
  /** A whole number >= min, or `fallback` when the flag is absent. */
  integer(flag: `--${string}`, fallback: number, min?: number): number;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Positional arguments as shown in usage, e.g. ["[N]"] or ["FILE"]; bracketed ones are optional. */
  readonly args?: readonly string[];
  readonly flags?: readonly Flag[];
  /** Adds --json: the result as one JSON document on stdout instead of text. */
  readonly json?: boolean;
  run(args: Args, io: Io): Promise<number>;
}

export interface Program {
  readonly name: string;
  readonly summary: string;
  readonly commands: readonly Command[];
  /** Flags every command accepts. */
  readonly common?: readonly Flag[];
  /** Extra paragraphs at the end of the main usage (environment, examples). */
  readonly notes?: string;
}

const HELP: Flag = { name: "--help", help: "show this help" };
const JSON_FLAG: Flag = { name: "--json", help: "print the result as JSON on stdout" };

function flagsOf(program: Program, command: Command): Flag[] {
  return [...(command.flags ?? []), ...(program.common ?? []), ...(command.json ? [JSON_FLAG] : []), HELP];
}

function flagLine(f: Flag): string {
  const left = f.value ? `${f.name} ${f.value}` : f.name;
  return `  ${left.padEnd(28)} ${f.help}${f.env ? ` (default: $${f.env})` : ""}`;
}

function programUsage(program: Program): string {
  const width = Math.max(...program.commands.map((c) => [c.name, ...(c.args ?? [])].join(" ").length));
  return [
    `${program.name}: ${program.summary}`,
    "",
    `Usage: ${program.name} <command> [options]`,
    "",
    "Commands:",
    ...program.commands.map((c) => `  ${[c.name, ...(c.args ?? [])].join(" ").padEnd(width)}  ${c.summary}`),
    "",
    `Run \`${program.name} <command> --help\` for a command's options.`,
    ...(program.notes ? ["", program.notes] : []),
    "",
    exitCodeText(),
  ].join("\n");
}

function commandUsage(program: Program, command: Command): string {
  return [
    `Usage: ${[program.name, command.name, ...(command.args ?? [])].join(" ")} [options]`,
    "",
    command.summary,
    "",
    "Options:",
    ...flagsOf(program, command).map(flagLine),
    "",
    exitCodeText(),
  ].join("\n");
}

function exitCodeText(): string {
  return "Exit codes: 0 done/healthy, 1 failed/down, 2 usage or configuration error, 3 degraded (health).";
}

type Known = Map<string, Flag>;

/** Splits the command line into flag values and positionals, refusing unknown flags and missing values. */
function tokenize(command: Command, known: Known, argv: readonly string[]) {
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith("--")) {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf("=");
    const [name, inline] = eq > 0 ? [token.slice(0, eq), token.slice(eq + 1)] : [token, undefined];
    const flag = known.get(name);
    if (!flag)
      throw new UsageError(
        `unknown option ${name} for "${command.name}". Options: ${[...known.keys()].join(", ")}`,
      );
    if (!flag.value) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      values.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith("--")))
      throw new UsageError(`${name} needs a value (${flag.value})`);
    values.set(name, value);
  }
  return { values, positionals };
}

function checkPositionals(command: Command, positionals: readonly string[]): void {
  const wanted = command.args ?? [];
  const minimum = wanted.filter((a) => !a.startsWith("[")).length;
  if (positionals.length >= minimum && positionals.length <= wanted.length) return;
  const takes = wanted.length ? wanted.join(" ") : "no arguments";
  throw new UsageError(
    `"${command.name}" takes ${takes}, got ${positionals.length ? positionals.join(" ") : "none"}`,
  );
}

function parseArgs(program: Program, command: Command, argv: readonly string[]): Args {
  const known: Known = new Map(flagsOf(program, command).map((f) => [f.name, f]));
  const { values, positionals } = tokenize(command, known, argv);
  checkPositionals(command, positionals);
  const value = (name: `--${string}`) => {
    const v = values.get(name);
    if (typeof v === "string") return v;
    const env = known.get(name)?.env;
    return env ? process.env[env] || undefined : undefined;
  };
  return {
    positionals,
    flags: values,
    has: (name) => values.has(name),
    value,
    required(name, purpose) {
      const v = value(name);
      const env = known.get(name)?.env;
      if (!v) throw new UsageError(`${env ? `${env} (or ${name})` : name} is not set: ${purpose}`);
      return v;
    },
    integer(name, fallback, min = 1) {
      const raw = value(name);
      if (raw === undefined) return fallback;
      if (!/^\d+$/.test(raw) || Number(raw) < min)
        throw new UsageError(`${name} takes a whole number >= ${min}, not "${raw}"`);
      return Number(raw);
    },
  };
}

/** Runs one command line: never throws, returns the exit code; errors go to stderr as one "error:" line. */
export async function runProgram(program: Program, argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.err : io.out)(programUsage(program));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = program.commands.find((c) => c.name === name);
  try {
    if (!command)
      throw new UsageError(
        `unknown command "${name}". Commands: ${program.commands.map((c) => c.name).join(", ")}`,
      );
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(commandUsage(program, command));
      return EXIT.ok;
    }
    return await command.run(parseArgs(program, command, rest), io);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.err(`error: ${message}`);
    if (err instanceof UsageError) {
      io.err(`Run \`${program.name} ${command ? `${command.name} ` : ""}--help\` for usage.`);
      return EXIT.usage;
    }
    return EXIT.failed;
  }
}
