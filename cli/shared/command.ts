// The shape every command line of the repository shares (offthegrid-migrate, offthegrid-db, policy:check, the
// traffic harness, the stand-in docker tool, the benchmarks): a command declares its arguments and flags (one
// help line per flag) and has one handler; a program is a list of commands. Parsing (command-line.ts), the
// usage text (usage.ts) and running (program.ts) read only these declarations, so the CLIs cannot drift
// apart.
import type { Io } from "./io";

/** Exit codes of every command. */
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
  /**
   * Declared only to be refused with this message (e.g. `--database-url`: argv shows its password to every
   * user), rather than as an unknown option.
   */
  readonly refused?: string;
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
  /** Where connection URLs are read from: process.env, or with `--stack` the stack's URLs under it. */
  readonly env?: NodeJS.ProcessEnv;
}

/** What a command declares; enough to parse its command line and print its help. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /**
   * Positional arguments as shown in usage, e.g. ["[N]"], ["FILE"] or ["[NAME...]"]; bracketed ones are
   * optional.
   */
  readonly args?: readonly string[];
  readonly flags?: readonly Flag[];
  /** Adds --json: the result as one JSON document on stdout instead of text. */
  readonly json?: boolean;
  /** Paragraphs at the end of its help (a program of one command has no program usage to hold them). */
  readonly notes?: string;
}

export interface Command extends CommandSpec {
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
