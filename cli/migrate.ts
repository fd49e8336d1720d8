// npm run migrate -- <up|down [N]|status|plan|sum|verify> [--dir sql]
// Connects with DATABASE_URL (the schema owner's URL: `pulumi stack output --show-secrets postgres`).
// Exit codes: 0 success, 1 a migration or check failed, 2 usage or configuration error.
// Start-up is most of a no-op run: compiled code is cached across runs (Node >= 22.1), and the engine is required
// only by the commands that use it, after the arguments are read.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require("node:module") as { enableCompileCache?: () => unknown }).enableCompileCache?.();
import * as fs from "node:fs";
import * as path from "node:path";
import type { Migration, MigrationEvent } from "../migrator";
import type * as Sources from "../migrator/sources";
import type * as SumFile from "../migrator/sum-file";
import type * as Runner from "../migrator/runner";
import type * as Guards from "./ops/guards";

const SUM_FILE = "migrations.sum";
/* eslint-disable @typescript-eslint/no-require-imports */
const sources = () => require("../migrator/sources") as typeof Sources;
const sumFile = () => require("../migrator/sum-file") as typeof SumFile;
const runner = () => require("../migrator/runner") as typeof Runner;
const guards = () => require("./ops/guards") as typeof Guards;
/* eslint-enable @typescript-eslint/no-require-imports */

const USAGE = `Usage: npm run migrate -- <command> [options]

Commands:
  up          apply pending migrations (verifies sql/${SUM_FILE} first)
  down [N]    roll back the latest N applied migrations (default 1) using their down sections;
              needs --yes on a database marked dev, --database NAME (matching the target) anywhere else
  status      list every migration with its state (applied, pending, partial)
  plan        list what \`up\` would run, without changing anything
  sum         regenerate sql/${SUM_FILE} from the files
  verify      check sql/${SUM_FILE} against the files (no database needed)

Options:
  --dir DIR        migration directory (default: sql)
  --yes            down: confirm on a database marked dev
  --database NAME  down: confirm by naming the target database
Environment:
  DATABASE_URL   postgresql://… of the schema owner (required except for sum and verify)`;

class UsageError extends Error {}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function progress(event: MigrationEvent): void {
  if (event.type === "start")
    process.stdout.write(`  ${event.direction === "up" ? "→" : "←"} ${event.name} … `);
  else if (event.type === "done") log(`done (${event.durationMs} ms)`);
  else if (event.type === "retry") log(`\n    lock timeout, retry ${event.attempt} in ${event.delayMs} ms`);
  else if (event.type === "failed") log("FAILED");
  else if (event.type === "notice") log(`\n    ${event.name}: ${event.message}`);
}

export async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const dirFlag = args.indexOf("--dir");
  const dir = path.resolve(dirFlag >= 0 ? (args.splice(dirFlag, 2)[1] ?? "") : "sql");
  const databaseFlag = args.indexOf("--database");
  const confirmDatabase = databaseFlag >= 0 ? args.splice(databaseFlag, 2)[1] : undefined;
  if (databaseFlag >= 0 && !confirmDatabase)
    throw new UsageError("--database needs the target database's name");
  const yesFlag = args.indexOf("--yes");
  if (yesFlag >= 0) args.splice(yesFlag, 1);
  const [command, ...rest] = args;
  if (!command || command === "help" || command === "--help") {
    log(USAGE);
    return command ? 0 : 2;
  }
  // Read and parse once: the sum check and the run use the same parsed files.
  const { loadMigrations, readMigrationDirectory } = sources();
  const migrations: Migration[] = loadMigrations(readMigrationDirectory(dir));
  const sumPath = path.join(dir, SUM_FILE);
  const sumProblems = () => sumFile().sumFileProblems(dir, migrations);

  if (command === "sum") {
    fs.writeFileSync(sumPath, sumFile().renderSumFile(migrations));
    log(`wrote ${path.relative(process.cwd(), sumPath)} (${migrations.length} migrations)`);
    return 0;
  }
  if (command === "verify") {
    const problems = sumProblems();
    problems.forEach((p) => log(`✗ ${p}`));
    if (problems.length === 0) log(`✓ sql/${SUM_FILE} matches ${migrations.length} migrations`);
    return problems.length ? 1 : 0;
  }
  const url = process.env.DATABASE_URL;
  if (!url) throw new UsageError("DATABASE_URL is not set: give the schema owner's postgresql:// URL");
  const options = { connection: { connectionString: url }, migrations, onEvent: progress };

  switch (command) {
    case "up": {
      const problems = sumProblems();
      if (problems.length) {
        problems.forEach((p) => log(`✗ ${p}`));
        return 1;
      }
      const started = Date.now();
      const results = await runner().migrateUp(options);
      log(
        results.length
          ? `applied ${results.length} migration(s) in ${Date.now() - started} ms`
          : "nothing to apply: up to date",
      );
      return 0;
    }
    case "down": {
      const count = rest[0] === undefined ? 1 : Number(rest[0]);
      if (!Number.isInteger(count) || count < 1)
        throw new UsageError(`down takes a positive whole number, not "${rest[0]}"`);
      await guards().confirmDestructiveAt(options.connection, `roll back ${count} migration(s)`, {
        yes: yesFlag >= 0,
        database: confirmDatabase,
      });
      const results = await runner().migrateDown(options, count);
      log(`rolled back ${results.length} migration(s)`);
      return 0;
    }
    case "status":
    case "plan": {
      const status = await runner().migrationStatus(options);
      const shown = command === "plan" ? status.filter((s) => s.state !== "applied") : status;
      for (const s of shown) {
        const when = s.appliedAt
          ? `  ${s.appliedAt.toISOString()}  ${s.durationMs ?? "?"} ms  by ${s.appliedBy}`
          : "";
        log(`  ${s.state.padEnd(8)} ${s.name}${when}`);
      }
      const pending = status.filter((s) => s.state !== "applied").length;
      log(
        command === "plan"
          ? `${pending} migration(s) would run`
          : `${status.length - pending} applied, ${pending} pending`,
      );
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`\nerror: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
