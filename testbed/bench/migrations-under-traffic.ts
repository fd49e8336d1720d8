// Migrations under the app's traffic (npm run bench:lock). Embedded PostgreSQL 17 with the
// shipped schema, users and user_sessions seeded with 1M rows each (INSERT … SELECT generate_series), and the
// traffic harness (testbed/traffic: the app's PostgreSQL access patterns as the app and readonly roles)
// running throughout. Phases, each one traffic run: idle; the safe set (testbed/bench/migration-sets.ts); the
// same changes written the unsafe way, forced through with opt-outs; then the lock strategy: a cheap ALTER
// behind a reader that holds its lock for 2.5 s at a time, with the old 3 s lock_timeout × 5 tries and the
// new 200 ms × 41. Prints one table row per phase: requests, failures, p50, p99, max, lost acknowledged
// writes, p99 ÷ idle p99.
import { pgClient } from "../pg-client";
import { MigrationSource, migrateUp, readMigrationDirectory } from "../../migrator";
import { startPostgres } from "../postgres";
import { start } from "../traffic/runner";
import type { TrafficReport } from "../traffic/report";
import { preparedDatabase } from "../../test/support/prepared";
import { SAFE_SET, unsafeSet } from "./migration-sets";
import { SQL_DIR } from "../root";

const ROWS = Number(process.env.BENCH_LOCK_ROWS ?? 1_000_000);
/** BENCH_LOCK_ONLY=1: only the lock-strategy phases, BENCH_LOCK_REPEAT times each, alternating. */
const LOCK_ONLY = process.env.BENCH_LOCK_ONLY === "1";
const REPEAT = Number(process.env.BENCH_LOCK_REPEAT ?? 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  readonly phase: string;
  readonly report: TrafficReport;
  readonly migrationMs?: number;
  readonly note?: string;
}

async function main(): Promise<void> {
  const pg = await startPostgres();
  try {
    const db = await preparedDatabase(pg, "bench_lock");
    const admin = pgClient(pg.config(db.name));
    admin.on("error", () => undefined);
    await admin.connect();
    const seeded = Date.now();
    await admin.query(
      `INSERT INTO users (wallet_address)
       SELECT translate(md5(i::text) || md5((i + 1)::text), '0', 'z') FROM generate_series(1, ${ROWS}) i`,
    );
    await admin.query(
      `INSERT INTO user_sessions (user_id, token_hash, expires_at)
       SELECT id, sha256(convert_to(id::text, 'UTF8')), now() + interval '1 day' FROM users`,
    );
    await admin.query("VACUUM ANALYZE users");
    await admin.query("VACUUM ANALYZE user_sessions");
    const counts = await admin.query(
      "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM user_sessions) AS sessions",
    );
    console.error(`seeded ${JSON.stringify(counts.rows[0])} in ${Date.now() - seeded} ms`);

    const targets = {
      postgresApp: db.url("app"),
      postgresReadonly: db.url("readonly"),
      redisApp: "redis://127.0.0.1:1",
      redisCache: "redis://127.0.0.1:1",
    };
    const applied: MigrationSource[] = [...readMigrationDirectory(SQL_DIR)];
    const rows: Row[] = [];
    let readerStarted: (() => void) | undefined;
    const phase = async (
      name: string,
      files: readonly MigrationSource[],
      lock?: { lockTimeoutMs: number; lockRetries: number },
      note?: string,
    ) => {
      // Pooled connections only (freshFraction 0): a new connection's SCRAM handshake costs more than a query
      // on this shared machine and would be the p99 of every phase.
      const traffic = start({
        targets,
        stores: ["postgres"],
        durationMs: 30 * 60_000,
        ratePerSecond: 100,
        freshFraction: 0,
      });
      await sleep(3_000);
      let migrationMs: number | undefined;
      if (files.length) {
        applied.push(...files);
        // Behind the reader: start 100 ms into one of its transactions, the worst case a migration meets.
        if (lock) await new Promise<void>((resolve) => (readerStarted = resolve)).then(() => sleep(100));
        const t = Date.now();
        const { error } = await migrateUp({ connection: db.as("owner"), migrations: applied, ...lock });
        if (error) throw error;
        migrationMs = Date.now() - t;
      } else await sleep(8_000);
      await sleep(3_000);
      const report = await traffic.stop();
      rows.push({ phase: name, report, migrationMs, note });
      console.error(`${name}: done`);
    };

    await phase("idle", []);
    if (!LOCK_ONLY) {
      await phase("safe set (add column, index concurrently, FK NOT VALID + VALIDATE)", SAFE_SET);
      await phase("unsafe set forced with opt-outs", unsafeSet(true));
    }

    // Lock strategy: a reader holding ACCESS SHARE on users for 2.5 s, 0.1 s apart, while a cheap ALTER
    // waits.
    const reader = pgClient(db.as("readonly"));
    reader.on("error", () => undefined);
    await reader.connect();
    let reading = true;
    const readerLoop = (async () => {
      while (reading) {
        setTimeout(() => readerStarted?.(), 0);
        await reader.query("BEGIN; SELECT 1 FROM users LIMIT 1; SELECT pg_sleep(2.5); COMMIT");
        await sleep(100);
      }
    })();
    const alter = (n: number) => ({
      name: `${920 + n}_bench_lock_${n}.sql`,
      sql: `-- migrate:up\nALTER TABLE users ADD COLUMN bench_lock_${n} integer;\n`,
    });
    await phase("idle, with the 2.5 s reader", [], undefined, "reader only");
    let n = 0;
    for (let i = 0; i < REPEAT; i++) {
      await phase("ALTER behind the reader, lock_timeout 3 s × 5 tries (old default)", [alter(++n)], {
        lockTimeoutMs: 3_000,
        lockRetries: 4,
      });
      await phase("ALTER behind the reader, lock_timeout 200 ms × 41 tries (new default)", [alter(++n)], {
        lockTimeoutMs: 200,
        lockRetries: 40,
      });
    }
    reading = false;
    await readerLoop;
    await reader.end();
    await admin.end();
    print(rows);
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    await pg.stop();
  }
}

function print(rows: readonly Row[]): void {
  const idle = rows[0].report.stores.postgres.p99Ms ?? NaN;
  const f = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(1));
  console.log(
    `### Migrations under traffic (${ROWS.toLocaleString("en")} rows in users and user_sessions)\n`,
  );
  console.log(
    "| phase | migration | requests | failed | p50 ms | p99 ms | max ms | lost writes | p99 ÷ idle p99 |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    const s = r.report.stores.postgres;
    const migration = r.migrationMs === undefined ? "-" : `${(r.migrationMs / 1000).toFixed(1)} s`;
    console.log(
      `| ${r.phase} | ${migration} | ${s.requests} | ${s.failures} | ${f(s.p50Ms)} | ${f(s.p99Ms)} | ${f(s.maxMs)} | ` +
        `${r.report.writes.lost} | ${s.p99Ms === undefined ? "-" : (s.p99Ms / idle).toFixed(2)} |`,
    );
    const errors = Object.entries(s.failuresByError);
    if (errors.length)
      console.log(`|   failures: ${errors.map(([k, n]) => `${k} ×${n}`).join("; ")} | | | | | | | | |`);
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
