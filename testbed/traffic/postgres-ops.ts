// The application's PostgreSQL access patterns (tables and columns as sql/001–004 leave them), through the
// app role and the readonly role. Each write records its tag in the ledger once the server acknowledged it.
import { hex64, sha256, type OpContext, type Operation, type User } from "./workload";

const signedIn = (u: User) => u.pgId !== undefined;

/** Wallet sign-in: the user row is created on the first signature and its login count raised on every one. */
export const signIn: Operation = {
  name: "pg.sign_in",
  store: "postgres",
  weight: 2,
  async run(ctx) {
    const { rows } = await ctx.app
      .use((c) =>
        c.query<{ id: string }>(
          `INSERT INTO users (wallet_address, login_count, last_login_at) VALUES ($1, 1, now())
           ON CONFLICT (wallet_address) DO UPDATE SET login_count = users.login_count + 1, last_login_at = now()
           RETURNING id`,
          [ctx.user.wallet],
        ),
      )
      .catch((err: unknown) => {
        // Committed or not (a reply lost with the connection): the count may be one higher.
        ctx.ledger.unacknowledgedIncrement("postgres", "users.login_count", ctx.user.wallet);
        throw err;
      });
    ctx.user.pgId = rows[0].id;
    ctx.ledger.ack({
      id: ctx.nextId(),
      store: "postgres",
      probe: "users.login_count",
      check: "count",
      key: ctx.user.wallet,
      at: ctx.now(),
    });
  },
};

/** A new JWT's session row (only the token's hash is stored). */
export const createSession: Operation = {
  name: "pg.session_insert",
  store: "postgres",
  weight: 2,
  ready: signedIn,
  async run(ctx) {
    const id = ctx.nextId();
    const tokenHash = sha256(`token/${id}`);
    await ctx.app.use((c) =>
      c.query(
        `INSERT INTO user_sessions (user_id, token_hash, expires_at, user_agent, ip_address)
         VALUES ($1, $2, now() + interval '1 day', 'offthegrid-traffic', '127.0.0.1')`,
        [ctx.user.pgId, tokenHash],
      ),
    );
    ctx.user.sessions.push({ tokenHash, jti: id, revoked: false });
    ctx.ledger.ack({
      id,
      store: "postgres",
      probe: "user_sessions.token_hash",
      check: "row",
      key: tokenHash.toString("hex"),
      at: ctx.now(),
    });
  },
};

function latestSession(ctx: OpContext) {
  return ctx.user.sessions[ctx.user.sessions.length - 1];
}

/** Every authenticated request: is this token's session live and not revoked? */
export const revocationLookup: Operation = {
  name: "pg.session_lookup",
  store: "postgres",
  weight: 6,
  ready: (u) => u.sessions.length > 0,
  async run(ctx) {
    await ctx.app.use((c) =>
      c.query(
        "SELECT user_id, revoked_at IS NOT NULL AS revoked FROM user_sessions WHERE token_hash = $1 AND expires_at > now()",
        [latestSession(ctx).tokenHash],
      ),
    );
  },
};

/** Logout: the session is revoked (the row stays until the cleanup). */
export const revokeSession: Operation = {
  name: "pg.session_revoke",
  store: "postgres",
  weight: 1,
  ready: (u) => u.sessions.some((s) => !s.revoked),
  async run(ctx) {
    const session = ctx.user.sessions.find((s) => !s.revoked);
    if (!session) return;
    const { rowCount } = await ctx.app.use((c) =>
      c.query(
        "UPDATE user_sessions SET revoked_at = now(), revoked_reason = 'logout' WHERE token_hash = $1 AND revoked_at IS NULL",
        [session.tokenHash],
      ),
    );
    session.revoked = true;
    if (rowCount === 1)
      ctx.ledger.ack({
        id: ctx.nextId(),
        store: "postgres",
        probe: "user_sessions.revoked",
        check: "flag",
        key: session.tokenHash.toString("hex"),
        at: ctx.now(),
      });
  },
};

/** A quiz attempt on a module without prerequisites: attempts counted, best score kept. */
export const moduleProgress: Operation = {
  name: "pg.progress_upsert",
  store: "postgres",
  weight: 2,
  ready: signedIn,
  async run(ctx) {
    const moduleId = await ctx.firstModuleId();
    const score = 40 + Math.floor(Math.random() * 39); // below the module's 80: the row stays in_progress
    const key = `${ctx.user.pgId}/${moduleId}`;
    await ctx.app
      .use((c) =>
        c.query(
          `INSERT INTO user_module_progress
           (user_id, module_id, status, progress_percent, attempts, best_score, last_score, started_at, last_attempt_at)
         VALUES ($1, $2, 'in_progress', 50, 1, $3, $3, now(), now())
         ON CONFLICT (user_id, module_id) DO UPDATE SET
           attempts = user_module_progress.attempts + 1,
           last_score = EXCLUDED.last_score,
           best_score = greatest(user_module_progress.best_score, EXCLUDED.last_score),
           last_attempt_at = now()`,
          [ctx.user.pgId, moduleId, score],
        ),
      )
      .catch((err: unknown) => {
        ctx.ledger.unacknowledgedIncrement("postgres", "user_module_progress.attempts", key);
        throw err;
      });
    ctx.ledger.ack({
      id: ctx.nextId(),
      store: "postgres",
      probe: "user_module_progress.attempts",
      check: "count",
      key,
      at: ctx.now(),
    });
  },
};

/** A real grid recorded when its creation transaction is built. */
export const createGrid: Operation = {
  name: "pg.grid_insert",
  store: "postgres",
  weight: 1,
  ready: signedIn,
  async run(ctx) {
    const id = ctx.nextId();
    const identity = hex64(`grid/${id}`);
    await ctx.app.use((c) =>
      c.query(
        `INSERT INTO user_grids (user_id, grid_identity, token_id, token_symbol, value_erg, order_count, price_low, price_high)
         VALUES ($1, $2, $3, 'SIGUSD', 12.5, 10, 0.5, 1.5)`,
        [ctx.user.pgId, identity, hex64("token/SIGUSD")],
      ),
    );
    ctx.user.grids.push({ identity, active: false });
    ctx.ledger.ack({
      id,
      store: "postgres",
      probe: "user_grids.grid_identity",
      check: "row",
      key: identity,
      at: ctx.now(),
    });
  },
};

/** The creation transaction confirmed: pending → active (the rollup trigger moves the user's counters). */
export const activateGrid: Operation = {
  name: "pg.grid_status_update",
  store: "postgres",
  weight: 1,
  ready: (u) => u.grids.some((g) => !g.active),
  async run(ctx) {
    const grid = ctx.user.grids.find((g) => !g.active);
    if (!grid) return;
    const { rowCount } = await ctx.app.use((c) =>
      c.query(
        `UPDATE user_grids SET status = 'active', buy_orders = 5, sell_orders = 5, creation_tx_id = $2
          WHERE grid_identity = $1 AND status = 'pending'`,
        [grid.identity, hex64(`tx/${grid.identity}`)],
      ),
    );
    grid.active = true;
    if (rowCount === 1)
      ctx.ledger.ack({
        id: ctx.nextId(),
        store: "postgres",
        probe: "user_grids.active",
        check: "flag",
        key: grid.identity,
        at: ctx.now(),
      });
  },
};

/** The dashboard: the user's education and trading summaries. */
export const summaries: Operation = {
  name: "pg.summary_read",
  store: "postgres",
  weight: 4,
  ready: signedIn,
  async run(ctx) {
    await ctx.app.use((c) =>
      c.query(
        `SELECT e.modules_started, e.average_score, e.ready_for_trading, t.total_grids, t.active_grids, t.total_profit_erg
           FROM user_education_summary e JOIN user_trading_summary t USING (user_id)
          WHERE e.user_id = $1`,
        [ctx.user.pgId],
      ),
    );
  },
};

/** Reporting through the readonly role: the profit leaderboard and how many users are ready to trade. */
export const readonlyReports: Operation = {
  name: "pg.readonly_reports",
  store: "postgres",
  weight: 1,
  async run(ctx) {
    await ctx.readonly.use((c) =>
      c.query(
        `SELECT (SELECT count(*) FROM user_education_stats WHERE ready_for_trading) AS ready,
                (SELECT json_agg(l) FROM (SELECT wallet_address, completed_profit_erg FROM user_trading_summary
                  WHERE completed_grids > 0 ORDER BY completed_profit_erg DESC LIMIT 10) l) AS leaderboard`,
      ),
    );
  },
};

export const POSTGRES_OPERATIONS: readonly Operation[] = [
  signIn,
  createSession,
  revocationLookup,
  revokeSession,
  moduleProgress,
  createGrid,
  activateGrid,
  summaries,
  readonlyReports,
];
