// The three schemas the write-path bench compares, each built in a fresh database of one server:
//   original  our tables and indexes with no rollup maintenance at all (the original platform schema kept no
//             rollups: its views aggregated on every read), so writes pay only for the rows and their indexes
//   row       sql/001 + 002: rollups kept by row-level triggers (the state the issue measured)
//   set       every migration in sql/ (004: statement-level triggers over transition tables)
import { ClientConfig } from "pg";
import { pgClient } from "../pg-client";
import { migrateUp, readMigrationDirectory } from "../../migrator";
import { SQL_DIR } from "../root";

export type SchemaKind = "original" | "row" | "set";
export const SCHEMAS: SchemaKind[] = ["original", "row", "set"];

const ALL = readMigrationDirectory(SQL_DIR);

export async function buildSchema(connection: ClientConfig, kind: SchemaKind): Promise<void> {
  const migrations = kind === "set" ? ALL : ALL.filter((f) => /^00[12]_/.test(f.name));
  const { error } = await migrateUp({ connection, migrations });
  if (error) throw error;
  if (kind !== "original") return;
  const c = pgClient(connection);
  await c.connect();
  try {
    await c.query(`DROP TRIGGER users_create_stats ON users;
                   DROP TRIGGER user_grids_stats ON user_grids;
                   DROP TRIGGER user_module_progress_stats ON user_module_progress`);
  } finally {
    await c.end();
  }
}

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
export const wallet = (n: number) =>
  "9" + Array.from({ length: 50 }, (_, i) => BASE58[(n * 31 + i * 17 + ((n >> (i % 16)) & 7)) % 58]).join("");

/** One statement: `users` users (wallets derived from `offset + g`, so repeated loads never collide). */
export const BULK_USERS = `
  INSERT INTO users (wallet_address, created_at)
  SELECT '9' || translate(md5(g::text) || md5((g + 7)::text), '0', 'z'), now() - (g % 365) * interval '1 day'
    FROM generate_series($1::int + 1, $1::int + $2::int) g`;

/**
 * One statement: `perUser` grids for every user, statuses and profits spread as in testbed/bench/queries.ts.
 */
export const BULK_GRIDS = `
  INSERT INTO user_grids (user_id, grid_identity, token_id, status, value_erg, order_count, buy_orders, sell_orders,
                          price_low, price_high, profit_erg, profit_percent, created_at, completed_at)
  SELECT u.id, encode(sha256(('g' || u.n || '-' || k)::bytea), 'hex'), encode(sha256(('t' || (k % 50))::bytea), 'hex'),
         s.status, 100 + k, 10, 5, 5, 1, 2, (((u.n * 7 + k) % 200) - 50) / 10.0, (((u.n * 7 + k) % 200) - 50) / 10.0,
         now() - (k * interval '3 days'), CASE WHEN s.status = 'completed' THEN now() - (k * interval '2 days') END
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users) u
   CROSS JOIN generate_series(1, $1::int) k
   CROSS JOIN LATERAL (SELECT (ARRAY['active', 'completed', 'completed', 'cancelled', 'active'])[1 + (u.n + k) % 5] AS status) s`;

export const ONE_GRID = `
  INSERT INTO user_grids (user_id, grid_identity, token_id, status, value_erg, order_count, price_low, price_high, profit_erg, profit_percent)
  VALUES ($1, encode(sha256($2::bytea), 'hex'), encode(sha256('t'::bytea), 'hex'), 'active', 10, 4, 1, 2, 0.5, 1.5)
  RETURNING id`;

export const COMPLETE_GRID = `
  UPDATE user_grids SET status = 'completed', completed_at = now(), profit_erg = 2.5, profit_percent = 4 WHERE id = $1`;

/** Rows of user_trading_stats that differ from a recomputation over user_grids (must be none). */
export const TRADING_MISMATCHES = `
  SELECT count(*)::int AS n FROM user_trading_stats s
    LEFT JOIN (SELECT user_id, count(*) AS total, count(*) FILTER (WHERE status = 'active') AS active,
                      count(*) FILTER (WHERE status = 'completed') AS completed, sum(profit_erg) AS profit,
                      coalesce(sum(profit_erg) FILTER (WHERE status = 'completed'), 0) AS cprofit,
                      coalesce(sum(profit_percent) FILTER (WHERE status = 'completed'), 0) AS cpct
                 FROM user_grids GROUP BY user_id) g ON g.user_id = s.user_id
   WHERE (s.total_grids, s.active_grids, s.completed_grids, s.total_profit_erg, s.completed_profit_erg, s.completed_profit_pct_sum)
         IS DISTINCT FROM (coalesce(g.total, 0), coalesce(g.active, 0), coalesce(g.completed, 0), coalesce(g.profit, 0),
                           coalesce(g.cprofit, 0), coalesce(g.cpct, 0))`;

export const MISSING_ROLLUP_ROWS = `
  SELECT count(*)::int AS n FROM users u
   WHERE NOT EXISTS (SELECT 1 FROM user_trading_stats t WHERE t.user_id = u.id)
      OR NOT EXISTS (SELECT 1 FROM user_education_stats e WHERE e.user_id = u.id)`;
