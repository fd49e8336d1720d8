import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { type Client } from "pg";
import { pgClient } from "../../testbed/pg-client";
import { TestPostgres, sharedPostgres, withClient } from "../../testbed/postgres";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";

const hex = () => randomBytes(32).toString("hex");
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const wallet = () => "9" + Array.from(randomBytes(50), (b) => BASE58[b % 58]).join("");

describe("platform schema behaviour (real PostgreSQL 17, migrated as the owner role)", function () {
  let pg: TestPostgres;
  let db: PreparedDatabase;
  let app: Client;
  let modules: Record<string, string>;

  before(async () => {
    pg = await sharedPostgres();
    db = await preparedDatabase(pg, "schema");
    app = pgClient(db.as("app"));
    await app.connect();
    const { rows } = await app.query("SELECT id, slug FROM education_modules");
    modules = Object.fromEntries(rows.map((r) => [r.slug, r.id]));
  });
  after(async () => app?.end());

  const newUser = async () =>
    (await app.query("INSERT INTO users (wallet_address) VALUES ($1) RETURNING id", [wallet()])).rows[0]
      .id as string;
  const complete = (user: string, slug: string, score = 90) =>
    app.query(
      `INSERT INTO user_module_progress (user_id, module_id, status, progress_percent, attempts, best_score, last_score, started_at, completed_at)
       VALUES ($1, $2, 'completed', 100, 1, $3, $3, now(), now())
       ON CONFLICT (user_id, module_id) DO UPDATE SET status = 'completed', progress_percent = 100, attempts = user_module_progress.attempts + 1,
         best_score = greatest(user_module_progress.best_score, $3), last_score = $3, started_at = coalesce(user_module_progress.started_at, now()), completed_at = now()`,
      [user, modules[slug], score],
    );
  const summary = async (user: string) =>
    (await app.query("SELECT * FROM user_education_summary WHERE user_id = $1", [user])).rows[0];

  describe("constraints", () => {
    const rejects: [string, string, unknown[]][] = [
      [
        "wallet address with a forbidden character (0)",
        "INSERT INTO users (wallet_address) VALUES ($1)",
        ["0" + wallet().slice(1)],
      ],
      ["wallet address too short", "INSERT INTO users (wallet_address) VALUES ($1)", ["9abc"]],
      [
        "preferences that are not an object",
        "INSERT INTO users (wallet_address, preferences) VALUES ($1, '[1]')",
        [wallet()],
      ],
      [
        "theme outside light/dark/system",
        "INSERT INTO users (wallet_address, theme) VALUES ($1, 'neon')",
        [wallet()],
      ],
      [
        "module score above 100",
        "INSERT INTO education_modules (slug, title, content, sort_order, required_score) VALUES ('x', 'x', '{}', 99, 101)",
        [],
      ],
      [
        "module slug with spaces",
        "INSERT INTO education_modules (slug, title, content, sort_order) VALUES ('bad slug', 'x', '{}', 98)",
        [],
      ],
    ];
    for (const [what, sql, params] of rejects) {
      it(`rejects ${what}`, async () => {
        await assert.rejects(app.query(sql, params), (e: any) => ["23514", "42501"].includes(e.code));
      });
    }

    it("rejects bad progress, practice, grid and session rows", async () => {
      const user = await newUser();
      const cases: [string, unknown[]][] = [
        [
          "INSERT INTO user_module_progress (user_id, module_id, status, started_at, progress_percent) VALUES ($1, $2, 'in_progress', now(), 120)",
          [user, modules["grid-basics"]],
        ],
        [
          "INSERT INTO user_module_progress (user_id, module_id, attempts, best_score, last_score) VALUES ($1, $2, 1, 50, 60)",
          [user, modules["grid-basics"]],
        ],
        [
          "INSERT INTO practice_sessions (user_id, token_pair, initial_balance) VALUES ($1, 'ERG/SIGUSD', 0)",
          [user],
        ],
        [
          "INSERT INTO practice_sessions (user_id, token_pair, initial_balance) VALUES ($1, 'erg-usd', 100)",
          [user],
        ],
        [
          "INSERT INTO practice_sessions (user_id, token_pair, initial_balance, trades_executed, buy_trades, sell_trades) VALUES ($1, 'ERG/SIGUSD', 100, 5, 1, 1)",
          [user],
        ],
        [
          "INSERT INTO user_grids (user_id, grid_identity, token_id, value_erg, order_count, price_low, price_high) VALUES ($1, $2, $3, 10, 5, 2, 1)",
          [user, hex(), hex()],
        ],
        [
          "INSERT INTO user_grids (user_id, grid_identity, token_id, value_erg, order_count, price_low, price_high) VALUES ($1, $2, $3, -1, 5, 1, 2)",
          [user, hex(), hex()],
        ],
        [
          "INSERT INTO user_grids (user_id, grid_identity, token_id, value_erg, order_count, price_low, price_high) VALUES ($1, 'not-hex', $2, 1, 5, 1, 2)",
          [user, hex()],
        ],
        [
          "INSERT INTO user_grids (user_id, grid_identity, token_id, value_erg, order_count, price_low, price_high, status) VALUES ($1, $2, $3, 1, 5, 1, 2, 'completed')",
          [user, hex(), hex()],
        ],
        [
          "INSERT INTO user_sessions (user_id, token_hash, expires_at) VALUES ($1, '\\x00', now() + interval '1 day')",
          [user],
        ],
        [
          "INSERT INTO user_sessions (user_id, token_hash, expires_at) VALUES ($1, $2, now() - interval '1 day')",
          [user, randomBytes(32)],
        ],
        ["INSERT INTO user_achievements (user_id, achievement_type) VALUES ($1, 'X')", [user]],
      ];
      for (const [sql, params] of cases) {
        await assert.rejects(app.query(sql, params), (e: any) => e.code === "23514", sql);
      }
    });

    it("allows one achievement per user and type", async () => {
      const user = await newUser();
      await app.query("INSERT INTO user_achievements (user_id, achievement_type) VALUES ($1, 'first_grid')", [
        user,
      ]);
      await assert.rejects(
        app.query("INSERT INTO user_achievements (user_id, achievement_type) VALUES ($1, 'first_grid')", [
          user,
        ]),
        { code: "23505" },
      );
    });
  });

  describe("unlock requirements and required scores, enforced by the database", () => {
    it("refuses to start a module before its prerequisites are completed", async () => {
      const user = await newUser();
      await assert.rejects(
        app.query(
          "INSERT INTO user_module_progress (user_id, module_id, status, started_at) VALUES ($1, $2, 'in_progress', now())",
          [user, modules["risk-management"]],
        ),
        /module risk-management is locked: complete grid-basics first/,
      );
      await complete(user, "grid-basics");
      await app.query(
        "INSERT INTO user_module_progress (user_id, module_id, status, started_at) VALUES ($1, $2, 'in_progress', now())",
        [user, modules["risk-management"]],
      );
    });

    it("refuses to complete a module below its required score", async () => {
      const user = await newUser();
      await assert.rejects(
        complete(user, "grid-basics", 79),
        /needs a score of at least 80 to be completed \(best score 79\)/,
      );
      await complete(user, "grid-basics", 80);
      assert.equal((await summary(user)).modules_completed, 1);
    });

    it("refuses to complete the last module by skipping the middle one", async () => {
      const user = await newUser();
      await complete(user, "grid-basics");
      await assert.rejects(
        complete(user, "market-conditions"),
        /market-conditions is locked: complete risk-management first/,
      );
    });
  });

  describe("views", () => {
    it("user_education_summary: no progress is not ready, one module is not ready, all required modules is ready", async () => {
      const user = await newUser();
      assert.deepEqual(
        { ...(await summary(user)), user_id: undefined, wallet_address: undefined },
        {
          user_id: undefined,
          wallet_address: undefined,
          modules_started: 0,
          modules_completed: 0,
          average_score: null,
          required_completed: 0,
          ready_for_trading: false,
        },
      );
      await complete(user, "grid-basics", 90);
      assert.equal((await summary(user)).ready_for_trading, false);
      await complete(user, "risk-management", 80);
      await complete(user, "market-conditions", 76);
      const done = await summary(user);
      assert.equal(done.ready_for_trading, true);
      assert.equal(done.modules_completed, 3);
      assert.equal(done.average_score, "82.00");
    });

    it("ready_for_trading follows the required flags of active modules", async () => {
      const user = await newUser();
      await complete(user, "grid-basics");
      await complete(user, "risk-management");
      const admin = pgClient(db.as("owner"));
      await admin.connect();
      try {
        await admin.query(
          "UPDATE education_modules SET is_required = false WHERE slug = 'market-conditions'",
        );
        assert.equal((await summary(user)).ready_for_trading, true, "two of two required modules done");
        await admin.query("UPDATE education_modules SET is_required = true WHERE slug = 'market-conditions'");
        assert.equal((await summary(user)).ready_for_trading, false);
        // A new required module makes everyone not ready until they complete it; removing it restores
        // readiness.
        await complete(user, "market-conditions");
        assert.equal((await summary(user)).ready_for_trading, true);
        await admin.query(
          "INSERT INTO education_modules (slug, title, content, sort_order) VALUES ('taxes', 'Taxes', '{}', 4)",
        );
        assert.equal((await summary(user)).ready_for_trading, false);
        await admin.query("DELETE FROM education_modules WHERE slug = 'taxes'");
        assert.equal((await summary(user)).ready_for_trading, true);
      } finally {
        await admin.end();
      }
    });

    it("user_trading_summary counts grids and profit per user", async () => {
      const user = await newUser();
      const grid = (status: string, profit: number, pct: number) =>
        app.query(
          `INSERT INTO user_grids (user_id, grid_identity, token_id, value_erg, order_count, price_low, price_high, status, profit_erg, profit_percent, completed_at)
           VALUES ($1, $2, $3, 100, 10, 1, 2, $4, $5, $6, CASE WHEN $4 = 'completed' THEN now() END) RETURNING id`,
          [user, hex(), hex(), status, profit, pct],
        );
      await grid("active", 1.5, 1.5);
      await grid("completed", 10, 10);
      const last = await grid("completed", 5.25, 5);
      await grid("cancelled", -2, -2);
      let row = (await app.query("SELECT * FROM user_trading_summary WHERE user_id = $1", [user])).rows[0];
      assert.deepEqual(
        [
          row.total_grids,
          row.active_grids,
          row.completed_grids,
          row.total_profit_erg,
          row.completed_profit_erg,
          row.average_profit_percent,
        ],
        [4, 1, 2, "14.750000000", "15.250000000", "7.5000"],
      );
      await app.query("DELETE FROM user_grids WHERE id = $1", [last.rows[0].id]);
      row = (await app.query("SELECT * FROM user_trading_summary WHERE user_id = $1", [user])).rows[0];
      assert.deepEqual(
        [row.total_grids, row.completed_grids, row.completed_profit_erg],
        [3, 1, "10.000000000"],
      );
    });
  });

  describe("foreign keys", () => {
    it("deleting a user removes their sessions, progress, practice and achievements", async () => {
      const user = await newUser();
      await complete(user, "grid-basics");
      await app.query(
        "INSERT INTO user_sessions (user_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')",
        [user, randomBytes(32)],
      );
      await app.query(
        "INSERT INTO practice_sessions (user_id, token_pair, initial_balance) VALUES ($1, 'ERG/SIGUSD', 100)",
        [user],
      );
      await app.query(
        "INSERT INTO user_achievements (user_id, achievement_type) VALUES ($1, 'first_login')",
        [user],
      );
      await app.query("DELETE FROM users WHERE id = $1", [user]);
      for (const table of [
        "user_sessions",
        "user_module_progress",
        "practice_sessions",
        "user_achievements",
        "user_education_stats",
        "user_trading_stats",
      ]) {
        const { rows } = await app.query(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [
          user,
        ]);
        assert.equal(rows[0].n, 0, table);
      }
    });

    it("refuses to delete a user who has real grids (trading history is not deleted as a side effect)", async () => {
      const user = await newUser();
      await app.query(
        "INSERT INTO user_grids (user_id, grid_identity, token_id, value_erg, order_count, price_low, price_high) VALUES ($1, $2, $3, 1, 2, 1, 2)",
        [user, hex(), hex()],
      );
      await assert.rejects(app.query("DELETE FROM users WHERE id = $1", [user]), { code: "23503" });
    });

    it("refuses to delete a module that users have progress on", async () => {
      const user = await newUser();
      await complete(user, "grid-basics");
      await withClient(db.as("owner"), async (owner) => {
        await assert.rejects(owner.query("DELETE FROM education_modules WHERE slug = 'grid-basics'"), {
          code: "23503",
        });
      });
    });
  });

  describe("role privileges", () => {
    // Only insufficient_privilege counts (it also covers "must be owner"): an error such as 42P01 (no such
    // table) would let a typo or a missing object pass for a denial.
    const denied = (role: "app" | "readonly", sql: string) =>
      withClient(db.as(role), (c) =>
        assert.rejects(c.query(sql), (e: any) => e.code === "42501", `${role}: ${sql}`),
      );

    it("the app role has DML on app tables but cannot CREATE, DROP or ALTER", async () => {
      await withClient(db.as("app"), async (c) => {
        const address = wallet();
        const { rows } = await c.query("INSERT INTO users (wallet_address) VALUES ($1) RETURNING id", [
          address,
        ]);
        const id = rows[0].id;
        assert.equal(
          (await c.query("SELECT wallet_address FROM users WHERE id = $1", [id])).rows[0].wallet_address,
          address,
        );
        assert.equal(
          (await c.query("UPDATE users SET login_count = login_count + 1 WHERE id = $1", [id])).rowCount,
          1,
        );
        await c.query(
          "INSERT INTO user_sessions (user_id, token_hash, expires_at) VALUES ($1, sha256($2::bytea), now() + interval '1 day')",
          [id, address],
        );
        assert.equal((await c.query("DELETE FROM user_sessions WHERE user_id = $1", [id])).rowCount, 1);
        assert.equal((await c.query("DELETE FROM users WHERE id = $1", [id])).rowCount, 1);
      });
      await denied("app", "CREATE TABLE sneaky (id int)");
      await denied("app", "DROP TABLE user_sessions");
      await denied("app", "ALTER TABLE users ADD COLUMN x int");
      await denied("app", "TRUNCATE users");
      await denied("app", "CREATE INDEX x ON users (created_at)");
      await denied("app", "SELECT * FROM migrations.history");
      await denied("app", "UPDATE user_trading_stats SET completed_profit_erg = 1e9");
    });

    it("the read-only role can read everything the app has and the history, but write nothing", async () => {
      await withClient(db.as("readonly"), async (c) => {
        assert.ok((await c.query("SELECT count(*) FROM users")).rows.length === 1);
        assert.ok((await c.query("SELECT count(*) FROM migrations.history")).rows[0].count >= 2);
        assert.equal((await c.query("SELECT pg_has_role('pg_monitor', 'MEMBER') AS m")).rows[0].m, true);
      });
      await denied("readonly", `INSERT INTO users (wallet_address) VALUES ('${wallet()}')`);
      await denied("readonly", "DELETE FROM user_sessions");
      await denied("readonly", "CREATE TABLE sneaky (id int)");
    });
  });

  describe("expired-session cleanup", () => {
    it("deletes in batches only sessions past the retention, returning the count", async () => {
      const user = await newUser();
      await app.query(
        `INSERT INTO user_sessions (user_id, token_hash, created_at, expires_at)
         SELECT $1, sha256(g::text::bytea), now() - interval '40 days', now() - interval '30 days' FROM generate_series(1, 25) g`,
        [user],
      );
      await app.query(
        "INSERT INTO user_sessions (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, now() - interval '3 days', now() - interval '1 day')",
        [user, randomBytes(32)],
      );
      const batches: number[] = [];
      for (;;) {
        const n = (await app.query("SELECT cleanup_expired_sessions(interval '7 days', 10) AS n")).rows[0].n;
        batches.push(n);
        if (n < 10) break;
      }
      assert.deepEqual(batches, [10, 10, 5]);
      const left = (
        await app.query("SELECT count(*)::int AS n FROM user_sessions WHERE user_id = $1", [user])
      ).rows[0].n;
      assert.equal(left, 1, "the session inside the retention window stays");
      await assert.rejects(
        app.query("SELECT cleanup_expired_sessions(interval '-1 day', 10)"),
        /retention must be >= 0/,
      );
    });
  });

  it("has no duplicate indexes (the original indexed every UNIQUE column twice)", async () => {
    const { rows } = await app.query(`
      SELECT indrelid::regclass AS t, array_agg(indexrelid::regclass) AS idx
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public'
       GROUP BY indrelid, indkey::text, coalesce(pg_get_expr(indpred, indrelid), '') HAVING count(*) > 1`);
    assert.deepEqual(rows, []);
  });

  it("keeps the rollups exact under concurrent writers", async function () {
    this.timeout(60_000);
    const users: string[] = [];
    for (let i = 0; i < 4; i++) users.push(await newUser());
    const writers = Array.from({ length: 8 }, async (_, w) => {
      const c = pgClient(db.as("app"));
      await c.connect();
      try {
        for (let i = 0; i < 40; i++) {
          const user = users[(w + i) % users.length];
          const roll = (w * 7 + i * 13) % 5;
          if (roll < 3) {
            await c.query(
              `INSERT INTO user_grids (user_id, grid_identity, token_id, value_erg, order_count, price_low, price_high, status, profit_erg, profit_percent, completed_at)
               VALUES ($1, $2, $3, 10, 4, 1, 2, $4, $5, $6, CASE WHEN $4 = 'completed' THEN now() END)`,
              [user, hex(), hex(), roll === 0 ? "active" : "completed", (i % 7) - 2.5, (i % 9) - 3],
            );
          } else if (roll === 3) {
            await c.query(
              `UPDATE user_grids SET status = 'completed', completed_at = now(), profit_erg = profit_erg + 1
                WHERE id = (SELECT id FROM user_grids WHERE user_id = $1 AND status = 'active' LIMIT 1 FOR UPDATE SKIP LOCKED)`,
              [user],
            );
          } else {
            await c.query(
              "DELETE FROM user_grids WHERE id = (SELECT id FROM user_grids WHERE user_id = $1 ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)",
              [user],
            );
          }
          // Education rollups: writers race on the same users' progress rows.
          if (i % 8 === 0) {
            await c
              .query(
                `INSERT INTO user_module_progress (user_id, module_id, status, progress_percent, attempts, best_score, last_score, started_at, completed_at)
                 VALUES ($1, $2, 'completed', 100, 1, 90, 90, now(), now())
                 ON CONFLICT (user_id, module_id) DO UPDATE SET attempts = user_module_progress.attempts + 1`,
                [user, modules["grid-basics"]],
              )
              .then(() =>
                c.query(
                  `INSERT INTO user_module_progress (user_id, module_id, status, progress_percent, started_at) VALUES ($1, $2, 'in_progress', 40, now())
                 ON CONFLICT (user_id, module_id) DO UPDATE SET progress_percent = least(user_module_progress.progress_percent + 10, 99)`,
                  [user, modules["risk-management"]],
                ),
              );
          }
        }
      } finally {
        await c.end();
      }
    });
    await Promise.all(writers);
    const mismatches = await app.query(
      `SELECT s.user_id FROM user_trading_stats s
         LEFT JOIN (SELECT user_id, count(*) AS total, count(*) FILTER (WHERE status = 'active') AS active,
                           count(*) FILTER (WHERE status = 'completed') AS completed, coalesce(sum(profit_erg), 0) AS profit,
                           coalesce(sum(profit_erg) FILTER (WHERE status = 'completed'), 0) AS completed_profit,
                           coalesce(sum(profit_percent) FILTER (WHERE status = 'completed'), 0) AS pct
                      FROM user_grids GROUP BY user_id) g ON g.user_id = s.user_id
        WHERE (s.total_grids, s.active_grids, s.completed_grids, s.total_profit_erg, s.completed_profit_erg, s.completed_profit_pct_sum)
              IS DISTINCT FROM (coalesce(g.total, 0), coalesce(g.active, 0), coalesce(g.completed, 0), coalesce(g.profit, 0), coalesce(g.completed_profit, 0), coalesce(g.pct, 0))`,
    );
    assert.deepEqual(mismatches.rows, []);
    const readiness = await app.query(
      `SELECT s.user_id FROM user_education_summary s
        WHERE s.ready_for_trading IS DISTINCT FROM NOT EXISTS (
          SELECT 1 FROM education_modules m WHERE m.is_active AND m.is_required AND NOT EXISTS (
            SELECT 1 FROM user_module_progress p WHERE p.user_id = s.user_id AND p.module_id = m.id AND p.status = 'completed'))`,
    );
    assert.deepEqual(readiness.rows, []);
    const education = await app.query(
      `SELECT s.user_id FROM user_education_stats s
        WHERE ROW(s.modules_started::bigint, s.modules_completed::bigint, s.scored_modules::bigint, s.best_score_sum::bigint) IS DISTINCT FROM
              (SELECT ROW(count(*) FILTER (WHERE p.status <> 'not_started'), count(*) FILTER (WHERE p.status = 'completed'),
                          count(p.best_score), coalesce(sum(p.best_score), 0))
                 FROM user_module_progress p WHERE p.user_id = s.user_id)`,
    );
    assert.deepEqual(education.rows, []);
    const totals = await app.query(
      "SELECT sum(total_grids)::int AS n, sum(modules_started)::int AS m FROM user_trading_stats JOIN user_education_stats USING (user_id) WHERE user_id = ANY($1)",
      [users],
    );
    assert.ok(
      totals.rows[0].n > 0 && totals.rows[0].m === 8,
      `the writers did write: ${JSON.stringify(totals.rows[0])}`,
    );
  });
});
