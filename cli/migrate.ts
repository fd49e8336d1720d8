#!/usr/bin/env node
// offthegrid-migrate (npm run migrate): applies sql/ with the same engine `pulumi up` uses. Connects with
// DATABASE_URL, the schema owner's URL (`pulumi stack output --show-secrets --json postgresUrls` → owner).
// Progress goes to stderr, results to stdout; status and plan also speak --json. Start-up is most of a no-op
// run: the bin is one esbuild bundle (tools/build-cli.ts), the packages it loads are compiled from cache
// across runs (Node >= 22.1), and the engine is evaluated only by the commands that use it, after the
// arguments are read.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require("node:module") as { enableCompileCache?: () => unknown }).enableCompileCache?.();
import * as fs from "node:fs";
import * as path from "node:path";
import type { Migration, MigrationEvent, RunnerOptions } from "../migrator";
import type { ConnectRetry } from "../migrator/connect";
import type { LockWait } from "../migrator/lock";
import type * as Sources from "../migrator/sources";
import type * as SumFile from "../migrator/sum-file";
import type * as Runner from "../migrator/runner";
import type * as Lint from "../migrator/lint";
import type * as Guards from "./ops/guards";
import type * as SqlParser from "../migrator/sql-parser";
import type * as Concurrent from "../migrator/concurrent-statement";
import { Io, printResult, processIo } from "./shared/io";
import { Args, Command, EXIT, Flag, Program, UsageError, runProgram } from "./shared/program";
import { sqlDir } from "./shared/root";
import { withStack } from "./shared/stack-urls";
import { checkMigrationName, migrationTemplate, nextMigrationFile, writeMigrationFile } from "./migrate-new";

const SUM_FILE = "migrations.sum";
/* eslint-disable @typescript-eslint/no-require-imports */
const sources = () => require("../migrator/sources") as typeof Sources;
const sumFile = () => require("../migrator/sum-file") as typeof SumFile;
const runner = () => require("../migrator/runner") as typeof Runner;
const lint = () => require("../migrator/lint") as typeof Lint;
const guards = () => require("./ops/guards") as typeof Guards;
const parser = () => require("../migrator/sql-parser") as typeof SqlParser;
const concurrent = () => require("../migrator/concurrent-statement") as typeof Concurrent;
/* eslint-enable @typescript-eslint/no-require-imports */

const DIR: Flag = {
  name: "--dir",
  value: "DIR",
  help: "migration directory (default: sql/ of this checkout)",
};

/** Read and parse once: the sum check and the run use the same parsed files. */
async function directory(args: Args): Promise<{ dir: string; migrations: Migration[] }> {
  const dir = path.resolve(args.value("--dir") ?? sqlDir());
  const { loadMigrations, readMigrationDirectory } = sources();
  const files = readMigrationDirectory(dir);
  return {
    dir,
    migrations: await parser().withParserIfNeeded(
      files.map((f) => f.sql),
      () => loadMigrations(files),
    ),
  };
}

function progress(io: Io) {
  return (event: MigrationEvent) => {
    if (event.type === "start") io.progress(`  ${event.direction === "up" ? "→" : "←"} ${event.name} … `);
    else if (event.type === "done") io.progress(`done (${event.durationMs} ms)\n`);
    else if (event.type === "retry")
      io.progress(`\n    lock timeout, retry ${event.attempt} in ${event.delayMs} ms\n`);
    else if (event.type === "failed") io.progress("FAILED\n");
    else if (event.type === "notice") io.progress(`\n    ${event.name}: ${event.message}\n`);
    else if (event.type === "connect-retry") io.err(connectRetryLine(event));
    else if (event.type === "lock-wait") io.err(lockWaitLine(event));
  };
}

/** "attempt n of m, giving up at hh:mm:ss": a wait for a database says what it waits for and until when. */
export function connectRetryLine(r: ConnectRetry): string {
  const until = new Date(r.deadline).toISOString().slice(11, 19);
  return (
    `PostgreSQL at ${r.target} is not answering (${r.reason}): attempt ${r.attempt} of ${r.of} failed, ` +
    `next in ${(r.delayMs / 1000).toFixed(1)} s, giving up at ${until} UTC (--wait SECONDS to wait longer)`
  );
}

/** Who holds the migration lock, since when, and when this run gives up waiting for it. */
export function lockWaitLine(w: LockWait): string {
  const h = w.holder;
  const who = h
    ? `backend pid ${h.pid} (${h.role ? `role ${h.role}, ` : ""}${h.application || "no application_name"}` +
      `${h.since ? `, connected ${h.since.toISOString()}` : ""})`
    : "another session";
  const until = new Date(w.deadline).toISOString().slice(11, 19);
  return (
    `waiting ${Math.round(w.waitedMs / 1000)} s for the migration lock, held by ${who}: ` +
    `another migration is running; giving up at ${until} UTC`
  );
}

/** A CLI answers within 10 s: a database that is down is reported, not waited for, unless asked. */
const DEFAULT_WAIT_SECONDS = 8;
const WAIT: Flag = {
  name: "--wait",
  value: "SECONDS",
  help: `how long to wait for the database to accept connections (default: ${DEFAULT_WAIT_SECONDS})`,
};

async function options(args: Args, io: Io, migrations?: Migration[]): Promise<RunnerOptions> {
  const url = (args.env ?? process.env).DATABASE_URL;
  if (!url)
    throw new UsageError(
      "DATABASE_URL is not set: set it to the schema owner's postgresql:// URL, " +
        "or pass --stack NAME to take it from that stack's outputs (postgresUrls.owner)",
    );
  return {
    connection: { connectionString: url },
    connectDeadlineMs: args.integer("--wait", DEFAULT_WAIT_SECONDS, 1) * 1000,
    migrations: migrations ?? (await directory(args)).migrations,
    onEvent: progress(io),
    refuseAdminLogin: "the schema owner (postgresUrls.owner)",
  };
}

const up: Command = {
  name: "up",
  summary: `apply pending migrations (verifies ${SUM_FILE} first)`,
  flags: [DIR, WAIT],
  async run(args, io) {
    const { dir, migrations } = await directory(args);
    const problems = sumFile().sumFileProblems(dir, migrations);
    if (problems.length) {
      problems.forEach((p) => io.err(`✗ ${p}`));
      return EXIT.failed;
    }
    const started = Date.now();
    const { error, results } = await runner().migrateUp(await options(args, io, migrations));
    if (error) throw error;
    io.out(
      results.length
        ? `applied ${results.length} migration(s) in ${Date.now() - started} ms`
        : "nothing to apply: up to date",
    );
    return EXIT.ok;
  },
};

const down: Command = {
  name: "down",
  summary: "roll back the latest N migrations (default 1): --yes on a dev database, else --database NAME",
  args: ["[N]"],
  flags: [
    DIR,
    WAIT,
    { name: "--yes", help: "confirm on a database marked dev" },
    {
      name: "--database",
      value: "NAME",
      help: "confirm by naming the target database (required unless dev)",
    },
  ],
  async run(args, io) {
    const raw = args.positionals[0] ?? "1";
    if (!/^\d+$/.test(raw) || Number(raw) < 1)
      throw new UsageError(`down takes a positive whole number, not "${raw}"`);
    const runOptions = await options(args, io);
    await guards().confirmDestructiveAt(runOptions.connection, `roll back ${raw} migration(s)`, {
      yes: args.has("--yes"),
      database: args.value("--database"),
    });
    const { error, results } = await runner().migrateDown(runOptions, Number(raw));
    if (error) throw error;
    io.out(`rolled back ${results.length} migration(s)`);
    return EXIT.ok;
  },
};

const status: Command = {
  name: "status",
  summary: "list every migration with its state (applied, pending, partial)",
  flags: [DIR, WAIT],
  json: true,
  async run(args, io) {
    const status = await runner().migrationStatus(await options(args, io));
    const pending = status.filter((s) => s.state !== "applied").length;
    const human = status.map((s) => {
      const when = s.appliedAt
        ? `  ${s.appliedAt.toISOString()}  ${s.durationMs ?? "?"} ms  by ${s.appliedBy}`
        : "";
      return `  ${s.state.padEnd(8)} ${s.name}${when}`;
    });
    human.push(`${status.length - pending} applied, ${pending} pending`);
    printResult(io, args.has("--json"), human, {
      applied: status.length - pending,
      pending,
      migrations: status,
    });
    return EXIT.ok;
  },
};

/** What `up` would run, with each file's lock and statement timeouts, its opt-outs and why, and the lint. */
const plan: Command = {
  name: "plan",
  summary: "list what `up` would run (timeouts, lint opt-outs), without changing anything; refuses like `up`",
  flags: [DIR, WAIT],
  json: true,
  async run(args, io) {
    const { migrations } = await directory(args);
    const shown = (await runner().migrationStatus(await options(args, io, migrations))).filter(
      (s) => s.state !== "applied",
    );
    const files = shown.map((s) => migrations.find((m) => m.name === s.name)!);
    const findings = await lint().lintMigrations(files);
    const { RUNNER_DEFAULTS: d } = runner();
    // In a no-transaction file, CREATE/DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY run with lock_timeout
    // 0, as `up` runs them (migrator/apply-no-transaction.ts): their waits block nothing of the app.
    const withoutLockTimeout = await Promise.all(
      files.map(async (m) =>
        m.transaction
          ? []
          : (
              await Promise.all(
                m.upStatements.map(async (st) =>
                  concurrent().waitsWithoutBlocking(await concurrent().concurrentKind(st.text)) ? st.line : 0,
                ),
              )
            ).filter((line) => line > 0),
      ),
    );
    const human: string[] = [];
    const json = shown.map((s, i) => {
      const m = files[i];
      const lockTimeoutMs = m.lockTimeoutMs ?? d.lockTimeoutMs;
      const statementTimeoutMs = m.statementTimeoutMs ?? d.statementTimeoutMs;
      const own = findings.filter((f) => f.file === m.name);
      const lines = withoutLockTimeout[i];
      human.push(
        `  ${s.state.padEnd(8)} ${s.name}  lock_timeout ${lockTimeoutMs} ms × ${d.lockRetries + 1} tries, ` +
          `statement_timeout ${statementTimeoutMs} ms${m.transaction ? "" : ", no transaction"}` +
          (lines.length
            ? `; lock_timeout 0 for line${lines.length > 1 ? "s" : ""} ${lines.join(", ")} (concurrent index ` +
              "builds wait for older transactions without blocking the app)"
            : ""),
      );
      for (const o of m.optOuts) human.push(`      allows ${o.rule}: ${o.reason}`);
      for (const f of own)
        human.push(`      ${f.allowed === undefined ? "✗" : "~"} ${lint().formatFinding(f)}`);
      return {
        ...s,
        lockTimeoutMs,
        statementTimeoutMs,
        withoutLockTimeoutLines: lines,
        optOuts: m.optOuts,
        findings: own,
      };
    });
    const refused = findings.filter((f) => f.allowed === undefined).length;
    human.push(
      refused
        ? `${refused} statement(s) refused by the lint: \`up\` would not run`
        : `${shown.length} migration(s) would run`,
    );
    printResult(io, args.has("--json"), human, { pending: json, refused });
    return refused ? EXIT.failed : EXIT.ok;
  },
};

const lintCommand: Command = {
  name: "lint",
  summary: "judge the files for statements that block or break the running app (no database needed)",
  flags: [DIR],
  json: true,
  async run(args, io) {
    const { migrations } = await directory(args);
    const { lintMigrations, formatFinding, LINT_BASELINE } = lint();
    const findings = await lintMigrations(migrations);
    const refused = findings.filter((f) => f.allowed === undefined);
    const judged = migrations.filter((m) => m.version > LINT_BASELINE).length;
    const human = findings.map((f) => `${f.allowed === undefined ? "✗" : "~"} ${formatFinding(f)}`);
    human.push(
      `${refused.length} refused, ${findings.length - refused.length} allowed by opt-outs in ${judged} file(s) ` +
        `(files up to ${String(LINT_BASELINE).padStart(3, "0")} predate the lint)`,
    );
    printResult(io, args.has("--json"), human, { judged, refused: refused.length, findings });
    return refused.length ? EXIT.failed : EXIT.ok;
  },
};

const sum: Command = {
  name: "sum",
  summary: `regenerate ${SUM_FILE} from the files`,
  flags: [DIR],
  async run(args, io) {
    const { dir, migrations } = await directory(args);
    const file = path.join(dir, SUM_FILE);
    fs.writeFileSync(file, sumFile().renderSumFile(migrations));
    io.out(`wrote ${path.relative(process.cwd(), file)} (${migrations.length} migrations)`);
    return EXIT.ok;
  },
};

const verify: Command = {
  name: "verify",
  summary: `check ${SUM_FILE} against the files (no database needed)`,
  flags: [DIR],
  async run(args, io) {
    const { dir, migrations } = await directory(args);
    const problems = sumFile().sumFileProblems(dir, migrations);
    problems.forEach((p) => io.out(`✗ ${p}`));
    if (problems.length === 0) io.out(`✓ ${SUM_FILE} matches ${migrations.length} migrations`);
    return problems.length ? EXIT.failed : EXIT.ok;
  },
};

const newCommand: Command = {
  name: "new",
  summary: `write the next numbered migration file from a template and update ${SUM_FILE}`,
  args: ["NAME"],
  flags: [
    DIR,
    {
      name: "--no-transaction",
      help: "a file that runs outside a transaction (e.g. CREATE INDEX CONCURRENTLY)",
    },
  ],
  async run(args, io) {
    const name = args.positionals[0];
    const wrong = checkMigrationName(name);
    if (wrong) throw new UsageError(wrong);
    const { dir, migrations } = await directory(args);
    const file = nextMigrationFile(migrations, name);
    const written = writeMigrationFile(dir, file, migrationTemplate(name, args.has("--no-transaction")));
    const all = (await directory(args)).migrations;
    const sum = path.join(dir, SUM_FILE);
    fs.writeFileSync(sum, sumFile().renderSumFile(all));
    io.out(`wrote ${path.relative(process.cwd(), written)}; updated ${path.relative(process.cwd(), sum)}`);
    io.err(
      "Write the SQL under -- migrate:up, then `npm run migrate -- sum` again (the sum covers the file's text).",
    );
    return EXIT.ok;
  },
};

// Migrations run as the schema owner: with --stack, postgresUrls.owner.
const OWNER = { DATABASE_URL: "postgresUrls.owner" };

export const program: Program = {
  name: "offthegrid-migrate",
  summary: "apply, inspect and roll back the versioned SQL in sql/",
  commands: [
    withStack(up, OWNER),
    withStack(down, OWNER),
    withStack(status, OWNER),
    withStack(plan, OWNER),
    lintCommand,
    sum,
    verify,
    newCommand,
  ],
  notes: [
    "Environment:",
    "  DATABASE_URL  postgresql://… of the schema owner (required by up, down, status, plan)",
    "  or --stack NAME: the owner's URL from that stack's outputs (a set DATABASE_URL wins)",
  ].join("\n"),
};

export const main = (argv: readonly string[], io: Io = processIo) => runProgram(program, argv, io);

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
