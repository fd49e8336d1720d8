// argv → Args for one command, with Node's own parser (node:util parseArgs) splitting the tokens. It runs
// non-strict so that each mistake gets this repository's message, which names the flag and what it takes,
// instead of Node's: the tokens are then checked against the command's declarations here.
import { parseArgs } from "node:util";
import { Args, CommandSpec, Flag, UsageError } from "./command";
import { flagsOf } from "./usage";

type Token = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];

function nodeOptions(flags: readonly Flag[]) {
  return Object.fromEntries(
    flags.map((f) => [
      f.name.slice(2),
      {
        type: f.value ? ("string" as const) : ("boolean" as const),
        ...(f.name === "--help" && { short: "h" }),
      },
    ]),
  );
}

function checkedValue(command: CommandSpec, known: Map<string, Flag>, token: Token & { kind: "option" }) {
  const name = token.rawName === "-h" ? "--help" : token.rawName;
  const flag = known.get(name);
  if (!flag)
    throw new UsageError(
      `unknown option ${name} for "${command.name}". Options: ${[...known.keys()].join(", ")}`,
    );
  if (flag.refused) throw new UsageError(flag.refused);
  if (!flag.value) {
    if (token.inlineValue) throw new UsageError(`${name} takes no value`);
    return { name, value: true as const };
  }
  // `--dir --json` is a forgotten value, not a directory named "--json"; `--dir=--json` is taken as written.
  if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--")))
    throw new UsageError(`${name} needs a value (${flag.value})`);
  return { name, value: token.value };
}

function checkPositionals(command: CommandSpec, positionals: readonly string[]): void {
  const wanted = command.args ?? [];
  const minimum = wanted.filter((a) => !a.startsWith("[")).length;
  const maximum = wanted.some((a) => a.endsWith("...]")) ? Infinity : wanted.length;
  if (positionals.length >= minimum && positionals.length <= maximum) return;
  const takes = wanted.length ? wanted.join(" ") : "no arguments";
  throw new UsageError(
    `"${command.name}" takes ${takes}, got ${positionals.length ? positionals.join(" ") : "none"}`,
  );
}

/**
 * The command line of one command (argv after the command word), with the program's `common` flags: a
 * UsageError naming the first mistake.
 */
export function parseCommandLine(
  command: CommandSpec,
  argv: readonly string[],
  common: readonly Flag[] = [],
): Args {
  const flags = flagsOf(command, common);
  const known = new Map(flags.map((f) => [f.name, f]));
  const { tokens } = parseArgs({
    args: [...argv],
    options: nodeOptions(flags),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    else if (token.kind === "option") {
      const { name, value } = checkedValue(command, known, token);
      values.set(name, value);
    }
  }
  checkPositionals(command, positionals);
  return argsOf(known, values, positionals);
}

function argsOf(known: Map<string, Flag>, values: Map<string, string | true>, positionals: string[]): Args {
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
