// Running the CLIs in-process the way an operator (or an attacker with a shell) would, capturing everything.
import { main as dbMain } from "../../cli/db";
import { main as migrateMain } from "../../cli/migrate";
import type { Io } from "../../cli/shared/io";

export interface CliRun {
  /** The exit code the process ends with. */
  readonly code: number;
  readonly out: string;
  /**
   * stderr (progress, the "error:" line) and console.error, where ioredis prints "Unhandled error event"
   * stacks.
   */
  readonly err: string;
  /** The error the CLI reported on stderr, when it failed. */
  readonly error?: Error;
}

async function run(
  main: (argv: readonly string[], io: Io) => Promise<number>,
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<CliRun> {
  const saved = { ...process.env };
  const originals = { error: console.error, stderr: process.stderr.write };
  let out = "";
  let err = "";
  console.error = (...args: unknown[]) => (err += `${args.join(" ")}\n`);
  process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const io: Io = {
      out: (line) => (out += `${line}\n`),
      err: (line) => (err += `${line}\n`),
      progress: (text) => (err += text),
    };
    const code = await main(argv, io);
    const at = err.search(/^error: /m);
    const reported = at >= 0 ? err.slice(at + "error: ".length) : undefined;
    return { code, out, err, error: code !== 0 && reported ? new Error(reported) : undefined };
  } finally {
    Object.assign(console, { error: originals.error });
    process.stderr.write = originals.stderr;
    process.env = saved;
  }
}

export const opsCli = (argv: string[], env: Record<string, string | undefined>) => run(dbMain, argv, env);

export const migrateCli = (argv: string[], env: Record<string, string | undefined>) =>
  run(migrateMain, argv, env);
