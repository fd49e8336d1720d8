// sql/004: statement-level rollups (bulk statements, concurrency, no deadlocks), the columns the original
// schema had, the summary views' wallet address, and the expiry-ordered session cleanup. Real PostgreSQL 17.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { type Client } from "pg";
import { pgClient } from "../../testbed/pg-client";
import { TestPostgres, sharedPostgres } from "../../testbed/postgres";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";
import { MISSING_ROLLUP_ROWS, TRADING_MISMATCHES } from "../../testbed/bench/write-schemas";

const hex = () => randomBytes(32).toString("hex");
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const wallet = () => "9" + Array.from(randomBytes(50), (b) => BASE58[b % 58]).join("");

const GRID = `INSERT INTO user_grids (user_id, grid_identity, token_id, value_erg, order_count, price_low, price_high, status,
                                      profit_erg, profit_percent, completed_at, filled_orders, current_value_erg)`;

describe("sql/004: set-based rollups, restored columns, session cleanup (real PostgreSQL 17)", function () {
  let pg: TestPostgres;
  let db: PreparedDatabase;
  let app: Client;

  before(async () => {
    pg = await sharedPostgres();
    db = await preparedDatabase(pg, "rollups");
    app = pgClient(db.as("app"));
    await app.connect();
  });
  after(async () => app?.end());

  const newUsers = async (n: number): Promise<string[]> =>
    (
      await app.query("INSERT INTO users (wallet_address) SELECT unnest($1::text[]) RETURNING id", [
        Array.from({ length: n }, wallet),
      ])
    ).rows.map((r) => r.id);
  const exact = async () => {
    assert.equal((await app.query(TRADING_MISMATCHES)).rows[0].n, 0, "trading rollups match the grids");
    assert.equal((await app.query(MISSING_ROLLUP_ROWS)).rows[0].n, 0, "every user has both rollup rows");
    const extra = await app.query(
      `SELECT s.user_id FROM user_trading_stats s
         LEFT JOIN (SELECT user_id, sum(filled_orders) AS f,
                           coalesce(sum(current_value_erg) FILTER (WHERE status = 'active'), 0) AS v
                      FROM user_grids GROUP BY user_id) g ON g.user_id = s.user_id
        WHERE (s.filled_orders, s.active_value_erg) IS DISTINCT FROM (coalesce(g.f, 0), coalesce(g.v, 0))`,
    );
    assert.deepEqual(extra.rows, [], "filled orders and active value match the grids");
  };

  describe("columns the original schema had", () => {
    it("documents the original names in column comments", async () => {
      const { rows } = await app.query(
        `SELECT c.relname || '.' || a.attname AS col, col_description(c.oid, a.attnum) AS comment
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE (c.relname, a.attname) IN (('user_grids', 'current_value_erg'), ('user_grids', 'filled_orders'),
                 ('practice_sessions', 'successful_trades'), ('practice_sessions', 'grid_orders_created'))
          ORDER BY 1`,
      );
      assert.deepEqual(
        rows.map((r) => [r.col, /Original name: (\w+)/.exec(r.comment)?.[1]]),
        [
          ["practice_sessions.grid_orders_created", "grid_orders_created"],
          ["practice_sessions.successful_trades", "successful_trades"],
          ["user_grids.current_value_erg", "current_value"],
          ["user_grids.filled_orders", "filled_orders"],
        ],
      );
    });

    it("rejects negative values and more successful trades than trades", async () => {
      const [user] = await newUsers(1);
      const practice = (cols: string, vals: string) =>
        app.query(
          `INSERT INTO practice_sessions (user_id, token_pair, initial_balance, trades_executed, buy_trades, sell_trades${cols})
           VALUES ($1, 'ERG/SIGUSD', 100, 3, 2, 1${vals})`,
          [user],
        );
      await practice(", successful_trades, grid_orders_created", ", 3, 12");
      for (const [cols, vals] of [
        [", successful_trades", ", 4"],
        [", successful_trades", ", -1"],
        [", grid_orders_created", ", -1"],
      ]) {
        await assert.rejects(
          practice(cols, vals),
          (e: { code?: string }) => e.code === "23514",
          `${cols} ${vals}`,
        );
      }
      for (const [col, value] of [
        ["filled_orders", "-1"],
        ["current_value_erg", "-0.5"],
      ]) {
        await assert.rejects(
          app.query(
            `INSERT INTO user_grids (user_id, grid_identity, token_id, value_erg, order_count, price_low, price_high, ${col})
             VALUES ($1, $2, $3, 1, 2, 1, 2, $4)`,
            [user, hex(), hex(), value],
          ),
          (e: { code?: string }) => e.code === "23514",
          col,
        );
      }
    });

    it("both summary views carry the wallet address; the trading one sums filled orders and active value", async () => {
      const address = wallet();
      const user = (await app.query("INSERT INTO users (wallet_address) VALUES ($1) RETURNING id", [address]))
        .rows[0].id;
      await app.query(
        `${GRID} VALUES ($1, $2, $3, 10, 4, 1, 2, 'active', 0, 0, NULL, 7, 12.5),
                        ($1, $4, $5, 10, 4, 1, 2, 'completed', 1, 1, now(), 3, 11),
                        ($1, $6, $7, 10, 4, 1, 2, 'active', 0, 0, NULL, 0, NULL)`,
        [user, hex(), hex(), hex(), hex(), hex(), hex()],
      );
      await app.query(
        "UPDATE user_grids SET current_value_erg = 20 WHERE user_id = $1 AND current_value_erg IS NULL",
        [user],
      );
      const trading = (await app.query("SELECT * FROM user_trading_summary WHERE user_id = $1", [user]))
        .rows[0];
      assert.deepEqual(
        [trading.wallet_address, trading.filled_orders, trading.active_value_erg],
        [address, "10", "32.500000000"],
      );
      const education = (await app.query("SELECT * FROM user_education_summary WHERE user_id = $1", [user]))
        .rows[0];
      assert.equal(education.wallet_address, address);
    });

    it("the ready-for-trading count and the leaderboard do not join users (join removal keeps them index-only)", async () => {
      for (const sql of [
        "SELECT count(*) FROM user_education_summary WHERE ready_for_trading",
        "SELECT user_id FROM user_trading_summary WHERE completed_grids > 0 ORDER BY completed_profit_erg DESC LIMIT 100",
      ]) {
        const plan = (await app.query(`EXPLAIN (COSTS OFF) ${sql}`)).rows
          .map((r) => r["QUERY PLAN"])
          .join("\n");
        assert.doesNotMatch(plan, /users/, plan);
      }
    });
  });

  describe("rollups over whole statements", () => {
    it("stay exact for multi-row, multi-user INSERT, UPDATE, DELETE and INSERT … ON CONFLICT", async () => {
      const users = await newUsers(50);
      await app.query(
        `${GRID} SELECT u, encode(sha256((u::text || k)::bytea), 'hex'), encode(sha256('t'::bytea), 'hex'), 10, 4, 1, 2,
                         (ARRAY['active', 'completed', 'cancelled'])[1 + k % 3], k - 2.5, k, CASE WHEN k % 3 = 1 THEN now() END,
                         k, CASE WHEN k % 3 = 0 THEN k * 1.5 END
                    FROM unnest($1::uuid[]) u CROSS JOIN generate_series(1, 6) k`,
        [users],
      );
      await exact();
      await app.query(
        `UPDATE user_grids SET status = 'completed', completed_at = now(), profit_erg = profit_erg + 1, filled_orders = filled_orders + 2
          WHERE user_id = ANY($1) AND status = 'active'`,
        [users.slice(0, 30)],
      );
      await app.query("UPDATE user_grids SET box_id = $2 WHERE user_id = ANY($1)", [users, hex()]);
      await app.query("UPDATE user_grids SET user_id = $2 WHERE user_id = $1", [users[40], users[41]]);
      await app.query("DELETE FROM user_grids WHERE user_id = ANY($1) AND status = 'cancelled'", [
        users.slice(10, 45),
      ]);
      await exact();
      const progress = await app.query("SELECT id FROM education_modules WHERE slug = 'grid-basics'");
      const upsert = `INSERT INTO user_module_progress (user_id, module_id, status, progress_percent, attempts, best_score, last_score, started_at, completed_at)
                      SELECT u, $2, 'completed', 100, 1, 85, 85, now(), now() FROM unnest($1::uuid[]) u
                      ON CONFLICT (user_id, module_id) DO UPDATE SET attempts = user_module_progress.attempts + 1`;
      await app.query(upsert, [users.slice(0, 20), progress.rows[0].id]);
      await app.query(upsert, [users.slice(10, 30), progress.rows[0].id]);
      const education = await app.query(
        `SELECT count(*) FILTER (WHERE modules_completed = 1 AND best_score_sum = 85)::int AS done, count(*)::int AS n
           FROM user_education_stats WHERE user_id = ANY($1)`,
        [users],
      );
      assert.deepEqual(education.rows[0], { done: 30, n: 50 });
      await app.query("DELETE FROM user_module_progress WHERE user_id = ANY($1)", [users.slice(0, 5)]);
      const cleared = await app.query(
        "SELECT count(*)::int AS n FROM user_education_stats WHERE user_id = ANY($1) AND modules_started = 0",
        [users.slice(0, 5)],
      );
      assert.equal(cleared.rows[0].n, 5);
    });

    it("never deadlock: 8 writers with two-user statements in opposite orders, and 8 writers on one user", async function () {
      this.timeout(120_000);
      const users = await newUsers(2);
      await app.query(
        `${GRID} SELECT u, encode(sha256((u::text || k)::bytea), 'hex'), encode(sha256('t'::bytea), 'hex'), 10, 4, 1, 2,
                        'active', 0, 0, NULL, 0, 1 FROM unnest($1::uuid[]) u CROSS JOIN generate_series(1, 40) k`,
        [users],
      );
      const grids = async (u: string) =>
        (await app.query("SELECT id FROM user_grids WHERE user_id = $1 ORDER BY id", [u])).rows.map(
          (r) => r.id,
        );
      const [a, b] = [await grids(users[0]), await grids(users[1])];
      // One statement, one grid of each user, processed in the listed order (nested loop over the array);
      // half the writers list user B first. Each writer has grids of its own, so only the rollup rows are
      // shared. 001's row-level triggers update the rollup rows in row order and deadlock here; 004 orders by
      // user_id.
      const writer = async (w: number) => {
        const c = pgClient(db.as("app"));
        await c.connect();
        try {
          for (let i = 0; i < 40; i++) {
            const pair = [a[w * 5 + (i % 5)], b[w * 5 + (i % 5)]];
            await c.query(
              `UPDATE user_grids g SET filled_orders = g.filled_orders + 1, current_value_erg = g.current_value_erg + 1
                 FROM unnest($1::uuid[]) WITH ORDINALITY x(id, n) WHERE g.id = x.id`,
              [w % 2 === 0 ? pair : pair.reverse()],
            );
          }
        } finally {
          await c.end();
        }
      };
      // Eight writers on one user's single rollup row: inserts, updates and deletes of their own grids.
      const [hot] = await newUsers(1);
      const hotWriter = async (w: number) => {
        const c = pgClient(db.as("app"));
        await c.connect();
        try {
          for (let i = 0; i < 25; i++) {
            const { rows } = await c.query(
              `${GRID} VALUES ($1, $2, $3, 10, 4, 1, 2, 'active', 0, 0, NULL, 1, 2) RETURNING id`,
              [hot, hex(), hex()],
            );
            await c.query(
              "UPDATE user_grids SET status = 'completed', completed_at = now(), profit_erg = $2, filled_orders = 4 WHERE id = $1",
              [rows[0].id, (w % 3) - 1],
            );
            if (i % 4 === 0) await c.query("DELETE FROM user_grids WHERE id = $1", [rows[0].id]);
          }
        } finally {
          await c.end();
        }
      };
      await Promise.all([
        ...Array.from({ length: 8 }, (_, w) => writer(w)),
        ...Array.from({ length: 8 }, (_, w) => hotWriter(w)),
      ]);
      const hotRow = await app.query(
        "SELECT total_grids, completed_grids FROM user_trading_stats WHERE user_id = $1",
        [hot],
      );
      assert.deepEqual(hotRow.rows[0], { total_grids: 8 * 18, completed_grids: 8 * 18 });
      await exact();
    });
  });

  describe("expired-session cleanup", () => {
    it("walks the expiry index: each batch deletes the oldest expired sessions, whatever their heap order", async () => {
      const [user] = await newUsers(1);
      // Inserted newest-expiry first, so heap (ctid) order is the reverse of expiry order.
      await app.query(
        `INSERT INTO user_sessions (user_id, token_hash, created_at, expires_at)
         SELECT $1, sha256(('cleanup-order' || g)::bytea), now() - interval '400 days', now() - interval '8 days' - g * interval '1 day'
           FROM generate_series(1, 30) g`,
        [user],
      );
      assert.equal(
        (await app.query("SELECT cleanup_expired_sessions(interval '7 days', 10) AS n")).rows[0].n,
        10,
      );
      const left = await app.query(
        `SELECT count(*)::int AS n, max(extract(day FROM now() - expires_at))::int AS oldest
           FROM user_sessions WHERE user_id = $1`,
        [user],
      );
      assert.deepEqual(left.rows[0], { n: 20, oldest: 28 }, "the 10 longest-expired (29-38 days) went first");
    });
  });
});
