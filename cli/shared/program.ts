// Running a command line: find the command, print help, parse, run the handler, and turn what it throws into
// one "error:" line and the exit code. Every line a command prints passes through redactSecrets: an argument
// echoed back (a wrong path, a value in the wrong place) must not show a connection URL's password.
import { parseCommandLine } from "./command-line";
import { Command, CommandSpec, EXIT, Flag, Program, UsageError } from "./command";
import { Io, processIo } from "./io";
import { redactSecrets } from "./redact";
import { COMMAND_EXITS, PROGRAM_EXITS, commandUsage, programUsage } from "./usage";

export { EXIT, UsageError } from "./command";
export type { Args, Command, CommandSpec, Flag, Program } from "./command";

const wantsHelp = (argv: readonly string[]) => argv.includes("--help") || argv.includes("-h");

function redacting(io: Io): Io {
  return {
    out: (line) => io.out(redactSecrets(line)),
    err: (line) => io.err(redactSecrets(line)),
    progress: (text) => io.progress(redactSecrets(text)),
  };
}

/** The one "error:" line (and, for a usage error, where help is); returns the exit code. */
function reported(err: unknown, invocation: string, io: Io): number {
  io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
  if (!(err instanceof UsageError)) return EXIT.failed;
  io.err(`Run \`${invocation} --help\` for usage.`);
  return EXIT.usage;
}

interface Invocation {
  /** How the command is called, as its help and errors show it. */
  readonly name: string;
  readonly common: readonly Flag[];
  readonly exits: string;
}

async function runOne(how: Invocation, command: Command, argv: readonly string[], io: Io) {
  if (wantsHelp(argv)) {
    io.out(commandUsage(how.name, command, how.common, how.exits));
    return EXIT.ok;
  }
  try {
    return await command.run(parseCommandLine(command, argv, how.common), io);
  } catch (err) {
    return reported(err, how.name, io);
  }
}

/** Runs one command line of a program (`<command> [options]`): never throws, returns the exit code. */
export async function runProgram(program: Program, argv: readonly string[], io: Io): Promise<number> {
  const safe = redacting(io);
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? safe.err : safe.out)(programUsage(program));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = program.commands.find((c) => c.name === name);
  if (!command) {
    const known = program.commands.map((c) => c.name).join(", ");
    return reported(new UsageError(`unknown command "${name}". Commands: ${known}`), program.name, safe);
  }
  const how = { name: `${program.name} ${command.name}`, common: program.common ?? [], exits: PROGRAM_EXITS };
  return runOne(how, command, rest, safe);
}

/** Runs a program that is one command, called without a command word (`npm run traffic -- [options]`). */
export function runCommand(invocation: string, command: Command, argv: readonly string[], io: Io) {
  return runOne({ name: invocation, common: [], exits: COMMAND_EXITS }, command, argv, redacting(io));
}

/**
 * For scripts whose options are module-level constants (bench/): parses the command line once, or prints the
 * help (exit 0) or the usage error (exit 2) and ends the process, as a command would.
 */
export function scriptArgs(invocation: string, spec: CommandSpec, argv = process.argv.slice(2)) {
  const io = redacting(processIo);
  if (wantsHelp(argv)) {
    io.out(commandUsage(invocation, spec, [], COMMAND_EXITS));
    process.exit(EXIT.ok);
  }
  try {
    return parseCommandLine(spec, argv);
  } catch (err) {
    process.exit(reported(err, invocation, io));
  }
}
