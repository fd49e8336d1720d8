// Running the CLIs in-process the way an operator (or an attacker with a shell) would, capturing everything.
import { main as dbMain } from "../../cli/db";
import { main as migrateMain } from "../../cli/migrate";
import { EXIT } from "../../cli/ops/status";
import { UsageError } from "../../cli/ops/usage";

export interface CliRun {
  /** The exit code the process would end with (the CLIs map thrown errors the same way). */
  readonly code: number;
  readonly out: string;
  /** stderr and console.error, where ioredis prints "Unhandled error event" stacks. */
  readonly err: string;
  readonly error?: Error;
}

async function run(
  main: (argv: string[]) => Promise<number>,
  usageCode: number,
  failedCode: number,
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<CliRun> {
  const saved = { ...process.env };
  const originals = {
    log: console.log,
    error: console.error,
    stdout: process.stdout.write,
    stderr: process.stderr.write,
  };
  let out = "";
  let err = "";
  console.log = (...args: unknown[]) => (out += `${args.join(" ")}\n`);
  console.error = (...args: unknown[]) => (err += `${args.join(" ")}\n`);
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return { code: await main(argv), out, err };
  } catch (error) {
    const code =
      error instanceof UsageError || error?.constructor?.name === "UsageError" ? usageCode : failedCode;
    return { code, out, err, error: error as Error };
  } finally {
    Object.assign(console, { log: originals.log, error: originals.error });
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
    process.env = saved;
  }
}

export const opsCli = (argv: string[], env: Record<string, string | undefined>) =>
  run(dbMain, EXIT.usage, EXIT.failed, argv, env);

export const migrateCli = (argv: string[], env: Record<string, string | undefined>) =>
  run(migrateMain, 2, 1, argv, env);
