// Hot-path queries on generated data (100k users, 140k progress rows, 1M grids, 1M sessions), with their
// plans and server-side p50 (EXPLAIN ANALYZE execution time). Printed, not asserted.
// Run: npm run bench:queries   (BENCH_SCALE=0.1 for a quick run at a tenth of the size)
import { type Client } from "pg";
import { pgClient } from "../pg-client";
import { bootstrap, migrateUp, readMigrationDirectory } from "../../migrator";
import { startPostgres } from "../postgres";
import { SQL_DIR } from "../root";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const USERS = Math.round(100_000 * SCALE);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);

// Goals and the original schema's figures on this machine (from the schema issue).
const QUERIES: {
  name: string;
  sql: string;
  params?: (c: Client) => Promise<unknown[]>;
  original: string;
  goal: string;
}[] = [
  {
    name: "session lookup by token hash",
    sql: "SELECT id, user_id, expires_at FROM user_sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()",
    params: async (c) => [
      (
        await c.query(
          "SELECT token_hash FROM user_sessions WHERE expires_at > now() ORDER BY random() LIMIT 1",
        )
      ).rows[0].token_hash,
    ],
    original: "18 µs",
    goal: "<= 18 µs",
  },
  {
    name: "a user's live sessions",
    sql: "SELECT id, created_at, expires_at, user_agent FROM user_sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY expires_at DESC",
    params: randomUser,
    original: "35 µs",
    goal: "<= 35 µs",
  },
  {
    name: "dashboard: education summary (one user)",
    sql: "SELECT * FROM user_education_summary WHERE user_id = $1",
    params: randomUser,
    original: "36 µs",
    goal: "<= 36 µs",
  },
  {
    name: "dashboard: trading summary (one user)",
    sql: "SELECT * FROM user_trading_summary WHERE user_id = $1",
    params: randomUser,
    original: "48 µs",
    goal: "<= 48 µs",
  },
  {
    name: "a user's active grids",
    sql: "SELECT id, token_id, value_erg, profit_erg, created_at FROM user_grids WHERE user_id = $1 AND status = 'active' ORDER BY created_at DESC",
    params: randomUser,
    original: "34 µs",
    goal: "<= 34 µs",
  },
  {
    name: "count users ready for trading",
    sql: "SELECT count(*) FROM user_education_summary WHERE ready_for_trading",
    original: "130 ms (wrong count)",
    goal: "<= 13 ms, correct",
  },
  {
    name: "top-100 users by completed-grid profit",
    sql: "SELECT user_id, completed_profit_erg FROM user_trading_stats WHERE completed_grids > 0 ORDER BY completed_profit_erg DESC LIMIT 100",
    original: "421 ms",
    goal: "<= 42 ms",
  },
];

async function randomUser(c: Client): Promise<unknown[]> {
  return [
    (await c.query("SELECT user_id FROM user_trading_stats WHERE total_grids > 0 ORDER BY random() LIMIT 1"))
      .rows[0].user_id,
  ];
}

async function load(c: Client): Promise<void> {
  // Bulk load with triggers off, then rebuild the rollups in one pass (the triggers' exactness is what
  // test/integration/schema.test.ts proves; here we only need the same end state, fast).
  await c.query("SET session_replication_role = replica");
  await c.query(
    `INSERT INTO users (wallet_address, created_at)
     SELECT '9' || translate(md5(g::text) || md5((g + 7)::text), '0', 'z'), now() - (g % 365) * interval '1 day'
       FROM generate_series(1, $1) g`,
    [USERS],
  );
  await c.query(`INSERT INTO user_education_stats (user_id) SELECT id FROM users`);
  await c.query(`INSERT INTO user_trading_stats (user_id) SELECT id FROM users`);
  // 140k progress rows at full scale: 60% finished module 1, 50% module 2, 30% module 3 (in curriculum
  // order).
  await c.query(
    `WITH u AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users),
          m AS (SELECT id, sort_order FROM education_modules)
     INSERT INTO user_module_progress (user_id, module_id, status, progress_percent, attempts, best_score, last_score, started_at, completed_at)
     SELECT u.id, m.id, 'completed', 100, 1, 80 + (u.n % 20), 80 + (u.n % 20), now() - interval '10 days', now() - interval '9 days'
       FROM u JOIN m ON (m.sort_order = 1 AND u.n % 10 < 6) OR (m.sort_order = 2 AND u.n % 10 < 5) OR (m.sort_order = 3 AND u.n % 10 < 3)`,
  );
  await c.query(
    `INSERT INTO user_grids (user_id, grid_identity, token_id, status, value_erg, order_count, buy_orders, sell_orders, price_low, price_high, profit_erg, profit_percent, created_at, completed_at)
     SELECT u.id, encode(sha256(('g' || u.n || '-' || k)::bytea), 'hex'), encode(sha256(('t' || (k % 50))::bytea), 'hex'),
            s.status, 100 + k, 10, 5, 5, 1, 2, (((u.n * 7 + k) % 200) - 50) / 10.0, (((u.n * 7 + k) % 200) - 50) / 10.0,
            now() - (k * interval '3 days'), CASE WHEN s.status = 'completed' THEN now() - (k * interval '2 days') END
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users) u
      CROSS JOIN generate_series(1, 10) k
      CROSS JOIN LATERAL (SELECT (ARRAY['active', 'completed', 'completed', 'cancelled', 'active'])[1 + (u.n + k) % 5] AS status) s`,
  );
  // Sessions: 10 per user; ~10% expired, most of those past the 7-day retention.
  await c.query(
    `INSERT INTO user_sessions (user_id, token_hash, created_at, expires_at, revoked_at, user_agent, ip_address)
     SELECT u.id, sha256(('s' || u.id || '-' || k)::bytea), now() - interval '60 days',
            now() + CASE WHEN k = 1 THEN -((u.n % 50) + 1) * interval '1 day' ELSE (k * 3) * interval '1 day' END,
            CASE WHEN k = 2 AND u.n % 4 = 0 THEN now() - interval '1 day' END, 'Mozilla/5.0 (bench)', '10.0.0.1'
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users) u CROSS JOIN generate_series(1, 10) k`,
  );
  await c.query("SET session_replication_role = origin");
  await c.query(
    `UPDATE user_education_stats s SET modules_started = a.started, modules_completed = a.completed, required_completed = a.required,
            scored_modules = a.scored, best_score_sum = a.score_sum
       FROM (SELECT p.user_id, count(*) FILTER (WHERE p.status <> 'not_started') AS started, count(*) FILTER (WHERE p.status = 'completed') AS completed,
                    count(*) FILTER (WHERE p.status = 'completed' AND m.is_active AND m.is_required) AS required,
                    count(p.best_score) AS scored, coalesce(sum(p.best_score), 0) AS score_sum
               FROM user_module_progress p JOIN education_modules m ON m.id = p.module_id GROUP BY p.user_id) a
      WHERE a.user_id = s.user_id`,
  );
  await c.query("SELECT refresh_education_readiness()");
  await c.query(
    `UPDATE user_trading_stats s SET total_grids = a.total, active_grids = a.active, completed_grids = a.completed,
            total_profit_erg = a.profit, completed_profit_erg = a.cprofit, completed_profit_pct_sum = a.cpct
       FROM (SELECT user_id, count(*) AS total, count(*) FILTER (WHERE status = 'active') AS active, count(*) FILTER (WHERE status = 'completed') AS completed,
                    sum(profit_erg) AS profit, coalesce(sum(profit_erg) FILTER (WHERE status = 'completed'), 0) AS cprofit,
                    coalesce(sum(profit_percent) FILTER (WHERE status = 'completed'), 0) AS cpct
               FROM user_grids GROUP BY user_id) a
      WHERE a.user_id = s.user_id`,
  );
  await c.query("VACUUM ANALYZE");
}

async function p50(c: Client, sql: string, params: unknown[]): Promise<{ ms: number; plan: string }> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const { rows } = await c.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
    times.push(rows[0]["QUERY PLAN"][0]["Execution Time"]);
  }
  const { rows } = await c.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql}`, params);
  return {
    ms: times.sort((a, b) => a - b)[Math.floor(times.length / 2)],
    plan: rows.map((r) => `      ${r["QUERY PLAN"]}`).join("\n"),
  };
}

const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(1)} ms`);

async function main() {
  const pg = await startPostgres({
    extraFlags: [
      "-c",
      "shared_buffers=256MB",
      "-c",
      "work_mem=4MB",
      "-c",
      "max_parallel_workers_per_gather=0",
    ],
  });
  const client = pgClient(pg.config());
  try {
    const database = await pg.createDatabase("bench_queries");
    await client.end().catch(() => undefined);
    const admin = pgClient(pg.config(database));
    await admin.connect();
    await bootstrap(admin, {
      database,
      roles: { owner: "offthegrid_owner", app: "offthegrid_app", readonly: "offthegrid_readonly" },
      members: {
        owner: ["offthegrid_owner_a", "offthegrid_owner_b"],
        app: ["offthegrid_app_a", "offthegrid_app_b"],
        readonly: ["offthegrid_readonly_a", "offthegrid_readonly_b"],
      },
      setPasswords: { offthegrid_owner_a: "bench-owner-password-0123456789" },
      marker: { environment: "dev", stack: "bench" },
    });
    const { error } = await migrateUp({
      connection: pg.config(database, {
        user: "offthegrid_owner_a",
        password: "bench-owner-password-0123456789",
      }),
      migrations: readMigrationDirectory(SQL_DIR),
    });
    if (error) throw error;
    let started = Date.now();
    await load(admin);
    const counts = await admin.query(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM user_module_progress) AS progress,
              (SELECT count(*) FROM user_grids) AS grids, (SELECT count(*) FROM user_sessions) AS sessions`,
    );
    console.log(
      `loaded ${JSON.stringify(counts.rows[0])} in ${((Date.now() - started) / 1000).toFixed(1)} s; p50 of ${SAMPLES} EXPLAIN ANALYZE runs\n`,
    );

    for (const q of QUERIES) {
      const params = q.params ? await q.params(admin) : [];
      const { ms, plan } = await p50(admin, q.sql, params);
      console.log(
        `${q.name.padEnd(42)} p50 ${fmt(ms).padStart(9)}   original ${q.original.padEnd(22)} goal ${q.goal}\n${plan}\n`,
      );
    }

    const ready = await admin.query(
      "SELECT count(*)::int AS n FROM user_education_summary WHERE ready_for_trading",
    );
    const truth = await admin.query(
      `SELECT count(*)::int AS n FROM users u WHERE NOT EXISTS (
         SELECT 1 FROM education_modules m WHERE m.is_active AND m.is_required AND NOT EXISTS (
           SELECT 1 FROM user_module_progress p WHERE p.user_id = u.id AND p.module_id = m.id AND p.status = 'completed'))`,
    );
    console.log(
      `ready-for-trading count: view ${ready.rows[0].n}, recomputed from progress ${truth.rows[0].n} (${ready.rows[0].n === truth.rows[0].n ? "correct" : "WRONG"})\n`,
    );

    // Cleanup: every session past a 7-day retention, in batches of 10,000, as `npm run db -- maintenance`
    // runs it.
    const expired = (
      await admin.query(
        "SELECT count(*)::int AS n FROM user_sessions WHERE expires_at < now() - interval '7 days'",
      )
    ).rows[0].n;
    started = performance.now();
    let deleted = 0;
    let batches = 0;
    for (;;) {
      const n = (await admin.query("SELECT cleanup_expired_sessions(interval '7 days', 10000) AS n")).rows[0]
        .n;
      deleted += n;
      batches++;
      if (n < 10000) break;
    }
    const cleanupMs = performance.now() - started;
    console.log(
      `expired-session cleanup: ${deleted} of ${expired} expired sessions in ${batches} batches, ${fmt(cleanupMs)} total, ${fmt(cleanupMs / batches)} per batch   original 214 ms   goal: no slower`,
    );

    const sizes = await admin.query(
      `SELECT count(*) AS indexes, pg_size_pretty(sum(pg_relation_size(indexrelid))) AS size FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`,
    );
    const duplicates = await admin.query(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM pg_index GROUP BY indrelid, indkey::text, coalesce(pg_get_expr(indpred, indrelid), '') HAVING count(*) > 1) d`,
    );
    console.log(
      `indexes in public: ${sizes.rows[0].indexes} (${sizes.rows[0].size}), duplicate indexes: ${duplicates.rows[0].n}`,
    );
    await admin.end();
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
