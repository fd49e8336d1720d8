// Write path: the cost of keeping the rollups, against the same tables without them ("original"), for 001's
// row-level triggers ("row") and 004's statement-level ones ("set"). Rounds alternate the schema order;
// figures are medians. After every round the rollups are recomputed from the detail rows and must match
// exactly.
//   npm run bench:writes                      small: 10k users, 100k grids, 3 rounds
//   npm run bench:writes -- --size issue      the issue's sizes: 100k users, 1M grids (minutes)
//   --rounds N   --schemas original,set   --samples N (single-row writes per round)
//   --durable    fsync on (the test harness turns it off): commits wait for the WAL flush, as in production
import * as fs from "node:fs";
import { type Client } from "pg";
import { pgClient } from "../pg-client";
import { startPostgres, TestPostgres } from "../postgres";
import { scriptArgs } from "../../cli/shared/program";
import * as W from "./write-schemas";

const SIZES = { small: { users: 10_000, grids: 10 }, issue: { users: 100_000, grids: 10 } } as const;
const args = scriptArgs("npm run bench:writes --", {
  name: "bench:writes",
  summary: "the cost of keeping the rollups on the write path, per schema, medians of alternating rounds",
  flags: [
    { name: "--size", value: "SIZE", help: `${Object.keys(SIZES).join(" or ")} (default small)` },
    { name: "--rounds", value: "N", help: "rounds (default 3)" },
    { name: "--samples", value: "N", help: "single-row writes per round (default 400)" },
    { name: "--schemas", value: "LIST", help: `some of ${W.SCHEMAS.join(",")} (default all)` },
    { name: "--durable", help: "fsync on: commits wait for the WAL flush, as in production" },
  ],
});
const size = SIZES[(args.value("--size") ?? "small") as keyof typeof SIZES];
if (!size) throw new Error(`--size must be one of ${Object.keys(SIZES).join(", ")}`);
const ROUNDS = args.integer("--rounds", 3);
const SAMPLES = args.integer("--samples", 400);
const SCHEMAS = (args.value("--schemas") ?? W.SCHEMAS.join(",")).split(",") as W.SchemaKind[];
const DURABLE = args.has("--durable");
const WRITERS = 8;
const OPS_PER_WRITER = Math.round(SAMPLES / 4);

type Figures = Record<string, number>;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * The backend's own CPU time in ms (/proc/<pid>/schedstat, Linux): on a shared machine it varies far less
 * than wall time, which includes waiting for a core. Needs the server on this host (the harness runs it
 * here).
 */
async function backendCpu(c: Client): Promise<() => number> {
  const pid = (await c.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
  return () => Number(fs.readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
}

/**
 * p50 of autocommit single-row writes, client-side (one prepared statement per kind), and backend CPU per
 * write.
 */
async function singleRowWrites(c: Client, users: string[]): Promise<Figures> {
  const inserts: number[] = [];
  const updates: number[] = [];
  const ids: string[] = [];
  const cpu = await backendCpu(c);
  const cpuStart = cpu();
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    const { rows } = await c.query({
      name: "one-grid",
      text: W.ONE_GRID,
      values: [users[(i * 7919) % users.length], `single-${i}-${Math.random()}`],
    });
    inserts.push(performance.now() - start);
    ids.push(rows[0].id);
  }
  const cpuInserts = cpu() - cpuStart;
  for (const id of ids) {
    const start = performance.now();
    await c.query({ name: "complete-grid", text: W.COMPLETE_GRID, values: [id] });
    updates.push(performance.now() - start);
  }
  const cpuUpdates = cpu() - cpuStart - cpuInserts;
  return {
    "one grid insert p50": median(inserts),
    "one grid insert, backend CPU": cpuInserts / SAMPLES,
    "one status update p50": median(updates),
    "one status update, backend CPU": cpuUpdates / SAMPLES,
  };
}

/** 8 writers, each inserting, completing and deleting grids; `users` decides how hot the rollup rows are. */
async function concurrentWriters(pg: TestPostgres, db: string, users: string[]): Promise<number> {
  let deadlocks = 0;
  const ms = await timed(() =>
    Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const c = pgClient(pg.config(db));
        await c.connect();
        try {
          for (let i = 0; i < OPS_PER_WRITER; i++) {
            const user = users[(w * 31 + i * 7) % users.length];
            try {
              const { rows } = await c.query(W.ONE_GRID, [user, `w${w}-${i}-${Math.random()}`]);
              await c.query(W.COMPLETE_GRID, [rows[0].id]);
              if (i % 3 === 0) await c.query("DELETE FROM user_grids WHERE id = $1", [rows[0].id]);
              // Two-user statements: the grid rows are locked in id order (as an app must, or the grid rows
              // themselves can deadlock), so a deadlock here could only come from the rollup rows.
              if (i % 5 === 0)
                await c.query(
                  `UPDATE user_grids SET profit_erg = profit_erg + 1 WHERE id IN (
                     SELECT id FROM user_grids WHERE user_id = ANY($1) AND status = 'active' ORDER BY id FOR UPDATE)`,
                  [[user, users[(w + i + 1) % users.length]]],
                );
            } catch (err) {
              if ((err as { code?: string }).code !== "40P01") throw err;
              deadlocks++;
              process.stderr.write(
                `deadlock: ${(err as Error).message} ${(err as { detail?: string }).detail}\n`,
              );
            }
          }
        } finally {
          await c.end();
        }
      }),
    ),
  );
  if (deadlocks > 0) throw new Error(`${deadlocks} deadlocks among ${WRITERS} concurrent writers`);
  return ms;
}

async function round(pg: TestPostgres, kind: W.SchemaKind, r: number): Promise<Figures> {
  const db = await pg.createDatabase(`writes_${kind}`);
  await W.buildSchema(pg.config(db), kind);
  const c = pgClient(pg.config(db));
  await c.connect();
  try {
    const f: Figures = {};
    const cpu = await backendCpu(c);
    let cpuStart = cpu();
    f[`bulk insert ${size.users} users`] = await timed(() => c.query(W.BULK_USERS, [0, size.users]));
    f[`bulk insert ${size.users} users, backend CPU`] = cpu() - cpuStart;
    cpuStart = cpu();
    f[`bulk insert ${size.users * size.grids} grids`] = await timed(() =>
      c.query(W.BULK_GRIDS, [size.grids]),
    );
    f[`bulk insert ${size.users * size.grids} grids, backend CPU`] = cpu() - cpuStart;
    await c.query("VACUUM ANALYZE");
    const users = (await c.query("SELECT id FROM users ORDER BY id LIMIT 1000")).rows.map((x) => x.id);
    Object.assign(f, await singleRowWrites(c, users));
    f[`${WRITERS} writers, many users (wall)`] = await concurrentWriters(pg, db, users.slice(0, 64));
    f[`${WRITERS} writers, one user (wall)`] = await concurrentWriters(pg, db, users.slice(0, 1));
    if (kind !== "original") {
      const bad =
        (await c.query(W.TRADING_MISMATCHES)).rows[0].n + (await c.query(W.MISSING_ROLLUP_ROWS)).rows[0].n;
      if (bad) throw new Error(`round ${r}, ${kind}: ${bad} rollup rows differ from the detail rows`);
    }
    return f;
  } finally {
    await c.end();
    await dropDatabase(pg, db);
  }
}

async function dropDatabase(pg: TestPostgres, db: string): Promise<void> {
  const admin = pgClient(pg.config());
  await admin.connect();
  await admin.query(`DROP DATABASE "${db}" WITH (FORCE)`).finally(() => admin.end());
}

async function main() {
  const pg = await startPostgres({
    extraFlags: [
      "-c",
      "shared_buffers=1GB",
      "-c",
      "max_parallel_workers_per_gather=0",
      "-c",
      "max_wal_size=4GB",
    ],
  });
  const results: Record<string, Figures[]> = Object.fromEntries(SCHEMAS.map((k) => [k, []]));
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? SCHEMAS : [...SCHEMAS].reverse();
      for (const kind of order) {
        results[kind].push(await round(pg, kind, r));
        process.stderr.write(`round ${r + 1}/${ROUNDS} ${kind} done\n`);
      }
    }
  } finally {
    await pg.stop();
  }
  report(results);
}

function report(results: Record<string, Figures[]>): void {
  const metrics = Object.keys(results[SCHEMAS[0]][0]);
  const fmt = (ms: number) =>
    ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : ms < 1
        ? `${(ms * 1000).toFixed(0)} µs`
        : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  console.log(
    `write path, ${ROUNDS} rounds, fsync ${DURABLE ? "on" : "off"} (medians; rollups verified exact after every round)`,
  );
  const pairs = results.original ? SCHEMAS.filter((k) => k !== "original") : [];
  const header = ["write", ...SCHEMAS, ...pairs.map((k) => `${k}/original`)];
  console.log(`| ${header.join(" | ")} |\n|${header.map(() => " --- |").join("")}`);
  for (const m of metrics) {
    const med = Object.fromEntries(SCHEMAS.map((k) => [k, median(results[k].map((f) => f[m]))]));
    // Per-pair ratios: round r of a schema against round r of the original; median and range.
    const ratios = SCHEMAS.filter((k) => k !== "original" && results.original).map((k) => {
      const rs = results[k].map((f, r) => f[m] / results.original[r][m]).sort((a, b) => a - b);
      return `${median(rs).toFixed(2)}× (${rs[0].toFixed(2)}–${rs[rs.length - 1].toFixed(2)})`;
    });
    console.log(`| ${[m, ...SCHEMAS.map((k) => fmt(med[k])), ...ratios].join(" | ")} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
