// Expired-session cleanup: cleanup_expired_sessions('7 days', 10000) called until a batch comes back short
// (each call its own transaction, as `npm run db -- maintenance` runs it) against one DELETE of the same
// rows, on identical copies of one generated table (CREATE DATABASE … TEMPLATE). Expired rows are 38 % of the
// table, as in the issue's measurement. With --before, 001's ctid-batched function runs on a third copy.
//   npm run bench:sessions                          100k expired rows, both layouts (below)
//   npm run bench:sessions -- --expired 100k,400k,1M --before
//   (1M expired = 2.6M rows: minutes of a shared machine; run it once)
import * as fs from "node:fs";
import * as path from "node:path";
import { type Client } from "pg";
import { pgClient } from "../pg-client";
import { startPostgres, TestPostgres } from "../postgres";
import { scriptArgs } from "../../cli/shared/program";
import { buildSchema } from "./write-schemas";
import { SQL_DIR } from "../root";

const args = scriptArgs("npm run bench:sessions --", {
  name: "bench:sessions",
  summary: "cleanup_expired_sessions in batches against one DELETE, on identical copies of a generated table",
  flags: [
    { name: "--expired", value: "COUNTS", help: "expired rows per run, e.g. 100k,400k,1M (default 100k)" },
    { name: "--layout", value: "LIST", help: "correlated,scattered (default both)" },
    { name: "--before", help: "also run 001's ctid-batched function on a third copy" },
  ],
});
const count = (s: string) => {
  const m = /^(\d+(?:\.\d+)?)([kM]?)$/.exec(s);
  if (!m) throw new Error(`--expired takes counts such as 100k,400k,1M (got "${s}")`);
  return Math.round(Number(m[1]) * { "": 1, k: 1e3, M: 1e6 }[m[2]]!);
};
const SIZES = (args.value("--expired") ?? "100k").split(",").map(count);
const BEFORE = args.has("--before");
const LAYOUTS = (args.value("--layout") ?? "correlated,scattered").split(",") as Layout[];
type Layout = "correlated" | "scattered";
// correlated: rows inserted as sessions are created, each expiring a fixed 48.5 days later, so heap order
//   follows expiry order (what a live table looks like). scattered: expiries unrelated to heap order (the
//   worst case for walking the expiry index; the layout of testbed/bench/queries.ts and of the issue's
//   measurement).
const EXPIRES: Record<Layout, string> = {
  correlated: `now() - interval '90 days' + (g::float8 / $1) * interval '90 days' + interval '48.5 days'`,
  scattered: `CASE WHEN g % 1000 < 383 THEN now() - interval '8 days' - (g % 997) * interval '1 hour'
                   ELSE now() + (g % 719) * interval '1 hour' END`,
};
const BATCH = 10_000;
const USERS = 10_000;

/** 001's function body, taken from the file itself so the comparison cannot drift from what shipped. */
function functionFrom001(): string {
  const sql = fs.readFileSync(path.join(SQL_DIR, "001_platform_schema.sql"), "utf8");
  const start = sql.indexOf("CREATE FUNCTION cleanup_expired_sessions(");
  const end = sql.indexOf("$$;", sql.indexOf("AS $$", start)) + 3;
  return sql.slice(start, end).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION");
}

async function withDb<T>(pg: TestPostgres, db: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = pgClient(pg.config(db));
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function load(pg: TestPostgres, expired: number, layout: Layout): Promise<string> {
  const db = await pg.createDatabase("sessions_template");
  await buildSchema(pg.config(db), "set");
  await withDb(pg, db, async (c) => {
    await c.query(
      `INSERT INTO users (wallet_address) SELECT '9' || translate(md5(g::text) || md5((g + 7)::text), '0', 'z')
         FROM generate_series(1, $1::int) g`,
      [USERS],
    );
    // Sessions of many users interleaved in the heap, 38.3 % of them past the retention.
    const total = Math.round(expired / 0.383);
    await c.query(
      `INSERT INTO user_sessions (user_id, token_hash, created_at, expires_at)
       SELECT u.id, sha256(('s' || g)::bytea), now() - interval '90 days', ${EXPIRES[layout]}
         FROM generate_series(1, $1::int) g
         JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users) u ON u.n = g % $2::int
        ORDER BY g`,
      [total, USERS],
    );
    await c.query("VACUUM ANALYZE user_sessions");
  });
  return db;
}

async function copy(pg: TestPostgres, template: string, prefix: string): Promise<string> {
  return withDb(pg, "postgres", async (c) => {
    const name = `${prefix}_${Math.random().toString(16).slice(2, 10)}`;
    await c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}" STRATEGY FILE_COPY`);
    return name;
  });
}

async function batched(c: Client): Promise<{ total: number; batches: number[]; deleted: number }> {
  const batches: number[] = [];
  let deleted = 0;
  const started = performance.now();
  for (;;) {
    const t = performance.now();
    const n: number = (await c.query("SELECT cleanup_expired_sessions(interval '7 days', $1) AS n", [BATCH]))
      .rows[0].n;
    batches.push(performance.now() - t);
    deleted += n;
    if (n < BATCH) break;
  }
  return { total: performance.now() - started, batches, deleted };
}

const s = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

async function measure(pg: TestPostgres, expired: number, layout: Layout): Promise<void> {
  const template = await load(pg, expired, layout);
  const single = await copy(pg, template, "sessions_delete");
  const ours = await copy(pg, template, "sessions_batched");
  const { deleteMs, deletedOnce } = await withDb(pg, single, async (c) => {
    const t = performance.now();
    const r = await c.query("DELETE FROM user_sessions WHERE expires_at < now() - interval '7 days'");
    return { deleteMs: performance.now() - t, deletedOnce: r.rowCount ?? 0 };
  });
  const report = (label: string, r: Awaited<ReturnType<typeof batched>>) => {
    const b = sorted(r.batches);
    const half = Math.floor(r.batches.length / 2);
    const firstHalf = r.batches.slice(0, half).reduce((a, x) => a + x, 0) / Math.max(half, 1);
    const secondHalf = r.batches.slice(half).reduce((a, x) => a + x, 0) / (r.batches.length - half);
    console.log(
      `| ${expired.toLocaleString("en")} | ${layout} | ${label} | ${r.deleted.toLocaleString("en")} | ${r.batches.length} | ${s(r.total)} | ` +
        `${(r.total / deleteMs).toFixed(2)}× | ${s(b[half])} | ${s(b[b.length - 1])} | ${s(firstHalf)} → ${s(secondHalf)} |`,
    );
  };
  console.log(
    `| ${expired.toLocaleString("en")} | ${layout} | one DELETE | ${deletedOnce.toLocaleString("en")} | 1 | ${s(deleteMs)} | 1.00× | | | |`,
  );
  report("004 range batches", await withDb(pg, ours, batched));
  if (BEFORE) {
    const old = await copy(pg, template, "sessions_001");
    await withDb(pg, old, (c) => c.query(functionFrom001()));
    report("001 ctid batches", await withDb(pg, old, batched));
  }
  await withDb(pg, "postgres", async (c) => {
    const { rows } = await c.query("SELECT datname FROM pg_database WHERE datname LIKE 'sessions_%'");
    for (const r of rows) await c.query(`DROP DATABASE "${r.datname}" WITH (FORCE)`);
  });
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
  try {
    console.log(
      `expired-session cleanup, batches of ${BATCH.toLocaleString("en")}, 7-day retention, 38 % of rows expired`,
    );
    console.log(
      "| expired rows | layout | method | deleted | batches | total | vs one DELETE | batch p50 | batch max | mean batch, 1st half → 2nd half |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const expired of SIZES) for (const layout of LAYOUTS) await measure(pg, expired, layout);
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
