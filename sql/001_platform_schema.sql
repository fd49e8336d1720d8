-- Off the Grid platform schema (PostgreSQL 17).
-- Users sign in with a wallet signature: no passwords anywhere. Per-user rollups (user_education_stats,
-- user_trading_stats) are maintained by triggers so dashboards and leaderboards never scan the detail tables.
-- migrate:up

-- ---------------------------------------------------------------------------------------------------------
-- Shared trigger: updated_at
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Users: identity is the wallet address (base58, as Ergo addresses are).
CREATE TABLE users (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  wallet_address  text NOT NULL UNIQUE
                  CONSTRAINT users_wallet_address_format
                  CHECK (wallet_address ~ '^[1-9A-HJ-NP-Za-km-z]{40,120}$'),
  display_name    text CHECK (char_length(display_name) BETWEEN 1 AND 50),
  preferences     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(preferences) = 'object'),
  is_active       boolean NOT NULL DEFAULT true,
  is_banned       boolean NOT NULL DEFAULT false,
  login_count     integer NOT NULL DEFAULT 0 CHECK (login_count >= 0),
  last_login_at   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------------------
-- Education modules and their prerequisites (a table, so the database can enforce them).
CREATE TABLE education_modules (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug               text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title              text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description        text NOT NULL DEFAULT '',
  content            jsonb NOT NULL CHECK (jsonb_typeof(content) = 'object'),
  quiz_questions     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(quiz_questions) = 'array'),
  required_score     smallint NOT NULL DEFAULT 80 CHECK (required_score BETWEEN 0 AND 100),
  estimated_minutes  smallint NOT NULL DEFAULT 10 CHECK (estimated_minutes > 0),
  sort_order         smallint NOT NULL UNIQUE,
  is_active          boolean NOT NULL DEFAULT true,
  is_required        boolean NOT NULL DEFAULT true,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER education_modules_updated_at BEFORE UPDATE ON education_modules
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE education_module_prerequisites (
  module_id           uuid NOT NULL REFERENCES education_modules (id) ON DELETE CASCADE,
  required_module_id  uuid NOT NULL REFERENCES education_modules (id) ON DELETE RESTRICT,
  PRIMARY KEY (module_id, required_module_id),
  CHECK (module_id <> required_module_id)
);
-- The PK leads with module_id; lookups the other way (is X a prerequisite of anything?) need this one.
CREATE INDEX education_module_prerequisites_required ON education_module_prerequisites (required_module_id);

-- ---------------------------------------------------------------------------------------------------------
-- Per-user module progress. Unlock rules and required scores are enforced here, not just in the app.
CREATE TABLE user_module_progress (
  user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Deleting a module that users have progress on must be a deliberate act.
  module_id         uuid NOT NULL REFERENCES education_modules (id) ON DELETE RESTRICT,
  status            text NOT NULL DEFAULT 'not_started'
                    CHECK (status IN ('not_started', 'in_progress', 'completed')),
  progress_percent  numeric(5, 2) NOT NULL DEFAULT 0 CHECK (progress_percent BETWEEN 0 AND 100),
  attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  best_score        smallint CHECK (best_score BETWEEN 0 AND 100),
  last_score        smallint CHECK (last_score BETWEEN 0 AND 100),
  quiz_answers      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(quiz_answers) IN ('object', 'array')),
  started_at        timestamptz,
  completed_at      timestamptz,
  last_attempt_at   timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, module_id),
  CHECK (best_score IS NULL OR last_score IS NULL OR best_score >= last_score),
  CHECK ((best_score IS NULL) = (attempts = 0)),
  CHECK (status <> 'completed' OR (completed_at IS NOT NULL AND progress_percent = 100 AND best_score IS NOT NULL)),
  CHECK (status = 'not_started' OR started_at IS NOT NULL),
  CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);
CREATE TRIGGER user_module_progress_updated_at BEFORE UPDATE ON user_module_progress
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
-- (user_id, module_id) PK serves "a user's progress"; this one serves per-module reporting and FK checks.
CREATE INDEX user_module_progress_module ON user_module_progress (module_id, status);

CREATE FUNCTION enforce_module_unlock() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  module record;
  missing text;
BEGIN
  IF NEW.status = 'not_started' THEN
    RETURN NEW;
  END IF;
  SELECT slug, required_score, is_active INTO module FROM education_modules WHERE id = NEW.module_id;
  IF NOT module.is_active AND (TG_OP = 'INSERT' OR OLD.status = 'not_started') THEN
    RAISE EXCEPTION 'module % is not active and cannot be started', module.slug USING ERRCODE = 'check_violation';
  END IF;
  SELECT string_agg(req.slug, ', ' ORDER BY req.sort_order) INTO missing
    FROM education_module_prerequisites p
    JOIN education_modules req ON req.id = p.required_module_id AND req.is_active
   WHERE p.module_id = NEW.module_id
     AND NOT EXISTS (SELECT 1 FROM user_module_progress done
                      WHERE done.user_id = NEW.user_id AND done.module_id = p.required_module_id
                        AND done.status = 'completed');
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'module % is locked: complete % first', module.slug, missing USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status = 'completed' AND NEW.best_score < module.required_score THEN
    RAISE EXCEPTION 'module % needs a score of at least % to be completed (best score %)',
      module.slug, module.required_score, NEW.best_score USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER user_module_progress_unlock BEFORE INSERT OR UPDATE ON user_module_progress
  FOR EACH ROW EXECUTE FUNCTION enforce_module_unlock();

-- ---------------------------------------------------------------------------------------------------------
-- Practice sessions (simulated grids).
CREATE TABLE practice_sessions (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  module_id            uuid REFERENCES education_modules (id) ON DELETE SET NULL,
  token_pair           text NOT NULL CHECK (token_pair ~ '^[A-Z0-9]{1,15}/[A-Z0-9]{1,15}$'),
  status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'abandoned')),
  grid_config          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(grid_config) = 'object'),
  initial_balance      numeric(30, 9) NOT NULL CHECK (initial_balance > 0),
  final_balance        numeric(30, 9) CHECK (final_balance >= 0),
  profit_loss          numeric(30, 9) GENERATED ALWAYS AS (final_balance - initial_balance) STORED,
  profit_loss_percent  numeric(12, 4) GENERATED ALWAYS AS
                         (round((final_balance - initial_balance) / initial_balance * 100, 4)) STORED,
  trades_executed      integer NOT NULL DEFAULT 0 CHECK (trades_executed >= 0),
  buy_trades           integer NOT NULL DEFAULT 0 CHECK (buy_trades >= 0),
  sell_trades          integer NOT NULL DEFAULT 0 CHECK (sell_trades >= 0),
  started_at           timestamptz NOT NULL DEFAULT now(),
  ended_at             timestamptz,
  duration_seconds     integer GENERATED ALWAYS AS (extract(epoch FROM ended_at - started_at)::integer) STORED,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (buy_trades + sell_trades = trades_executed),
  CHECK (ended_at IS NULL OR ended_at >= started_at),
  CHECK ((status = 'active') = (ended_at IS NULL)),
  CHECK (status <> 'completed' OR final_balance IS NOT NULL)
);
CREATE TRIGGER practice_sessions_updated_at BEFORE UPDATE ON practice_sessions
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX practice_sessions_user ON practice_sessions (user_id, started_at DESC);
CREATE INDEX practice_sessions_module ON practice_sessions (module_id) WHERE module_id IS NOT NULL;

-- ---------------------------------------------------------------------------------------------------------
-- Achievements: one per user and type.
CREATE TABLE user_achievements (
  user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  achievement_type  text NOT NULL CHECK (achievement_type ~ '^[a-z][a-z0-9_]{2,63}$'),
  achievement_data  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(achievement_data) = 'object'),
  earned_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, achievement_type)
);

-- ---------------------------------------------------------------------------------------------------------
-- Real grids on chain. Amounts in ERG with nanoERG precision; ids are 64-hex blockchain ids.
CREATE TABLE user_grids (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Trading history is not deleted as a side effect of deleting a user: handle grids explicitly first.
  user_id           uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  grid_identity     text NOT NULL UNIQUE CHECK (grid_identity ~ '^[0-9a-f]{64}$'),
  token_id          text NOT NULL CHECK (token_id ~ '^[0-9a-f]{64}$'),
  token_symbol      text CHECK (token_symbol ~ '^[A-Za-z0-9._-]{1,32}$'),
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'active', 'completed', 'cancelled', 'failed')),
  value_erg         numeric(30, 9) NOT NULL CHECK (value_erg >= 0),
  order_count       integer NOT NULL CHECK (order_count > 0),
  buy_orders        integer NOT NULL DEFAULT 0 CHECK (buy_orders >= 0),
  sell_orders       integer NOT NULL DEFAULT 0 CHECK (sell_orders >= 0),
  price_low         numeric(38, 18) NOT NULL CHECK (price_low > 0),
  price_high        numeric(38, 18) NOT NULL,
  profit_erg        numeric(30, 9) NOT NULL DEFAULT 0,
  profit_percent    numeric(12, 4) NOT NULL DEFAULT 0 CHECK (profit_percent >= -100),
  creation_tx_id    text CHECK (creation_tx_id ~ '^[0-9a-f]{64}$'),
  completion_tx_id  text CHECK (completion_tx_id ~ '^[0-9a-f]{64}$'),
  box_id            text CHECK (box_id ~ '^[0-9a-f]{64}$'),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  completed_at      timestamptz,
  CHECK (price_high > price_low),
  CHECK (buy_orders + sell_orders <= order_count),
  CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE TRIGGER user_grids_updated_at BEFORE UPDATE ON user_grids FOR EACH ROW EXECUTE FUNCTION set_updated_at();
-- "A user's grids by status" and every per-user lookup (leading column).
CREATE INDEX user_grids_user_status ON user_grids (user_id, status, created_at DESC);

-- ---------------------------------------------------------------------------------------------------------
-- Sessions for JWT revocation: only the SHA-256 of the token is stored, never the token.
CREATE TABLE user_sessions (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash      bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz,
  revoked_reason  text CHECK (char_length(revoked_reason) <= 200),
  last_seen_at    timestamptz,
  user_agent      text CHECK (char_length(user_agent) <= 512),
  ip_address      inet,
  CHECK (expires_at > created_at),
  CHECK (revoked_at IS NULL OR revoked_at >= created_at),
  CHECK (revoked_reason IS NULL OR revoked_at IS NOT NULL)
);
-- Lookup by token hash is served by the UNIQUE index; these serve a user's live sessions and the cleanup.
CREATE INDEX user_sessions_user_live ON user_sessions (user_id, expires_at DESC) WHERE revoked_at IS NULL;
CREATE INDEX user_sessions_expires ON user_sessions (expires_at);

-- Deletes up to batch_size sessions that expired more than `retention` ago and returns how many it deleted.
-- One batch per call keeps each transaction short: call it until it returns less than batch_size
-- (the ops CLI's `maintenance` does; so can pg_cron or any scheduler).
CREATE FUNCTION cleanup_expired_sessions(retention interval DEFAULT '7 days', batch_size integer DEFAULT 10000)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  deleted integer;
BEGIN
  IF retention < interval '0' OR batch_size < 1 THEN
    RAISE EXCEPTION 'cleanup_expired_sessions: retention must be >= 0 and batch_size >= 1 (got %, %)',
      retention, batch_size USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- By physical row id: no ORDER BY and no row locks before deleting. A row updated meanwhile gets a new ctid
  -- and is simply left for the next run; the expiry is checked again on the row actually deleted.
  DELETE FROM user_sessions
   WHERE ctid = ANY (ARRAY(SELECT ctid FROM user_sessions WHERE expires_at < now() - retention LIMIT batch_size))
     AND expires_at < now() - retention;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Per-user rollups. One row per user (created with the user), kept exact by the triggers below, which run as
-- the schema owner (SECURITY DEFINER) so the application role can read the rollups but not write them.
CREATE TABLE user_education_stats (
  user_id                   uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  modules_started           integer NOT NULL DEFAULT 0 CHECK (modules_started >= 0),
  modules_completed         integer NOT NULL DEFAULT 0 CHECK (modules_completed >= 0),
  required_completed        integer NOT NULL DEFAULT 0 CHECK (required_completed >= 0),
  scored_modules            integer NOT NULL DEFAULT 0 CHECK (scored_modules >= 0),
  best_score_sum            integer NOT NULL DEFAULT 0 CHECK (best_score_sum >= 0),
  -- Every active required module completed (and there is at least one): see user_education_summary.
  ready_for_trading         boolean NOT NULL DEFAULT false
) WITH (fillfactor = 80);
-- Counting users ready for trading is an index-only count over this partial index.
CREATE INDEX user_education_stats_ready ON user_education_stats (user_id) WHERE ready_for_trading;

CREATE TABLE user_trading_stats (
  user_id                    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  total_grids                integer NOT NULL DEFAULT 0 CHECK (total_grids >= 0),
  active_grids               integer NOT NULL DEFAULT 0 CHECK (active_grids >= 0),
  completed_grids            integer NOT NULL DEFAULT 0 CHECK (completed_grids >= 0),
  total_profit_erg           numeric(30, 9) NOT NULL DEFAULT 0,
  completed_profit_erg       numeric(30, 9) NOT NULL DEFAULT 0,
  completed_profit_pct_sum   numeric(20, 4) NOT NULL DEFAULT 0
) WITH (fillfactor = 80);
-- Leaderboard: top users by completed-grid profit.
CREATE INDEX user_trading_stats_completed_profit ON user_trading_stats (completed_profit_erg DESC) WHERE completed_grids > 0;

CREATE FUNCTION create_user_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO user_education_stats (user_id) VALUES (NEW.id);
  INSERT INTO user_trading_stats (user_id) VALUES (NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER users_create_stats AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION create_user_stats();

-- Recomputes one user's education rollup from their (few) progress rows. The row lock taken first serializes
-- concurrent changes for the same user; the aggregate then reads a fresh snapshot, so the result is exact.
CREATE FUNCTION refresh_user_education_stats(target uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM 1 FROM user_education_stats WHERE user_id = target FOR UPDATE;
  UPDATE user_education_stats s SET
    modules_started    = agg.started,
    modules_completed  = agg.completed,
    required_completed = agg.required_completed,
    scored_modules     = agg.scored,
    best_score_sum     = agg.score_sum,
    ready_for_trading  = req.total > 0 AND agg.required_completed >= req.total
  FROM (
    SELECT count(*) FILTER (WHERE p.status <> 'not_started')                              AS started,
           count(*) FILTER (WHERE p.status = 'completed')                                 AS completed,
           count(*) FILTER (WHERE p.status = 'completed' AND m.is_active AND m.is_required) AS required_completed,
           count(p.best_score)                                                             AS scored,
           coalesce(sum(p.best_score), 0)                                                  AS score_sum
      FROM user_module_progress p JOIN education_modules m ON m.id = p.module_id
     WHERE p.user_id = target
  ) agg,
  (SELECT count(*) AS total FROM education_modules WHERE is_active AND is_required) req
  WHERE s.user_id = target;
END
$$;

-- Set-based recomputation of every user's required/ready columns, for when the curriculum itself changes
-- (a module added, removed, (de)activated, made (not) required). Also callable by hand to reconcile.
CREATE FUNCTION refresh_education_readiness() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  UPDATE user_education_stats s SET required_completed = x.n, ready_for_trading = x.ready
    FROM (SELECT s2.user_id, coalesce(done.n, 0) AS n, req.total > 0 AND coalesce(done.n, 0) >= req.total AS ready
            FROM user_education_stats s2
           CROSS JOIN (SELECT count(*) AS total FROM education_modules WHERE is_active AND is_required) req
            LEFT JOIN (SELECT p.user_id, count(*) AS n
                         FROM user_module_progress p JOIN education_modules m ON m.id = p.module_id
                        WHERE p.status = 'completed' AND m.is_active AND m.is_required
                        GROUP BY p.user_id) done ON done.user_id = s2.user_id) x
   WHERE x.user_id = s.user_id
     AND (s.required_completed, s.ready_for_trading) IS DISTINCT FROM (x.n, x.ready);
$$;

CREATE FUNCTION track_module_progress() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM refresh_user_education_stats(OLD.user_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id) THEN
    PERFORM refresh_user_education_stats(NEW.user_id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER user_module_progress_stats AFTER INSERT OR UPDATE OR DELETE ON user_module_progress
  FOR EACH ROW EXECUTE FUNCTION track_module_progress();

-- The curriculum changing changes who is ready: recompute readiness for everyone, once per statement.
CREATE FUNCTION track_curriculum() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM refresh_education_readiness();
  RETURN NULL;
END
$$;
CREATE TRIGGER education_modules_curriculum AFTER INSERT OR DELETE OR UPDATE OF is_active, is_required
  ON education_modules FOR EACH STATEMENT EXECUTE FUNCTION track_curriculum();

-- Grid rollups change by exact deltas; UPDATE … SET x = x + d is atomic under concurrent writers.
CREATE FUNCTION apply_grid_delta(target uuid, sign integer, grid user_grids) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  UPDATE user_trading_stats SET
    total_grids              = total_grids + sign,
    active_grids             = active_grids + sign * (grid.status = 'active')::integer,
    completed_grids          = completed_grids + sign * (grid.status = 'completed')::integer,
    total_profit_erg         = total_profit_erg + sign * grid.profit_erg,
    completed_profit_erg     = completed_profit_erg + CASE WHEN grid.status = 'completed' THEN sign * grid.profit_erg ELSE 0 END,
    completed_profit_pct_sum = completed_profit_pct_sum + CASE WHEN grid.status = 'completed' THEN sign * grid.profit_percent ELSE 0 END
  WHERE user_id = target;
$$;

CREATE FUNCTION track_grids() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM apply_grid_delta(OLD.user_id, -1, OLD);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM apply_grid_delta(NEW.user_id, 1, NEW);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER user_grids_stats AFTER INSERT OR DELETE OR UPDATE OF user_id, status, profit_erg, profit_percent
  ON user_grids FOR EACH ROW EXECUTE FUNCTION track_grids();

-- The rollups are written only by the triggers above (which run as the owner).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'offthegrid_app') THEN
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON user_education_stats, user_trading_stats FROM offthegrid_app;
  END IF;
END
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Views.
-- ready_for_trading: every active required module completed. Fails closed: a user with no progress, or with
-- some modules done, is not ready; and if no module is active and required, nobody is.
CREATE VIEW user_education_summary AS
SELECT user_id,
       modules_started,
       modules_completed,
       CASE WHEN scored_modules > 0 THEN round(best_score_sum::numeric / scored_modules, 2) END AS average_score,
       required_completed,
       ready_for_trading
  FROM user_education_stats;

CREATE VIEW user_trading_summary AS
SELECT user_id,
       total_grids,
       active_grids,
       completed_grids,
       total_profit_erg,
       completed_profit_erg,
       CASE WHEN completed_grids > 0 THEN round(completed_profit_pct_sum / completed_grids, 4) END AS average_profit_percent
  FROM user_trading_stats;

-- ---------------------------------------------------------------------------------------------------------
-- High-churn tables: vacuum and analyze after 2-5 % of rows change instead of PostgreSQL's 20 %.
ALTER TABLE user_sessions SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02,
                               autovacuum_vacuum_insert_scale_factor = 0.05);
ALTER TABLE user_module_progress SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE user_education_stats SET (autovacuum_vacuum_scale_factor = 0.05);
ALTER TABLE user_trading_stats SET (autovacuum_vacuum_scale_factor = 0.05);

-- ---------------------------------------------------------------------------------------------------------
-- Seed: the three modules of the curriculum, each unlocking the next.
INSERT INTO education_modules (slug, title, description, sort_order, required_score, estimated_minutes, content, quiz_questions)
VALUES
('grid-basics', 'Grid Trading Basics',
 'What a grid is, how buy and sell orders are laid out across a price range, and where profit comes from.', 1, 80, 15,
 '{"sections": [
    {"title": "What is grid trading?", "body": "A grid places buy orders below the current price and sell orders above it at fixed intervals, so every move through a level fills an order."},
    {"title": "Price range and levels", "body": "You choose a lower and an upper price and how many levels lie between them; the spacing decides how often orders fill and how much each fill earns."},
    {"title": "Where profit comes from", "body": "Each time a buy fills and the price returns to the next level up, the matching sell fills and the spread between them is profit."}
  ]}',
 '[
    {"id": "gb-1", "question": "Where does a grid place its buy orders?", "options": ["Above the current price", "Below the current price", "At the current price only"], "answer": 1},
    {"id": "gb-2", "question": "What happens to profit per fill when the grid levels are spaced further apart?", "options": ["It grows", "It shrinks", "It does not change"], "answer": 0},
    {"id": "gb-3", "question": "In which market does a grid earn most?", "options": ["A strong one-way trend", "A range with frequent swings", "A market with no trades"], "answer": 1}
  ]'),
('risk-management', 'Risk Management',
 'Sizing a grid, what happens when the price leaves the range, and how much capital to commit.', 2, 80, 20,
 '{"sections": [
    {"title": "Capital per grid", "body": "Commit only what you can leave in the grid for its whole life; the grid holds inventory when the price falls."},
    {"title": "Leaving the range", "body": "Below the range you hold the token and no sells fill; above it you hold only ERG and miss further gains."},
    {"title": "Fees and minimum spacing", "body": "Each fill pays fees: levels closer than twice the fee lose money on every round trip."}
  ]}',
 '[
    {"id": "rm-1", "question": "The price falls below your range. What do you hold?", "options": ["Only ERG", "Mostly the token", "Nothing"], "answer": 1},
    {"id": "rm-2", "question": "Levels closer than twice the trading fee will…", "options": ["Lose money on each round trip", "Earn more", "Never fill"], "answer": 0},
    {"id": "rm-3", "question": "How much capital should go into one grid?", "options": ["Everything", "What you can leave in it for its whole life", "Borrowed funds"], "answer": 1}
  ]'),
('market-conditions', 'Reading Market Conditions',
 'Recognising ranging and trending markets and choosing when to start, adjust or stop a grid.', 3, 75, 20,
 '{"sections": [
    {"title": "Ranging versus trending", "body": "Grids thrive on prices that oscillate inside a band; a sustained trend walks the price out of the range."},
    {"title": "Volatility", "body": "Higher volatility fills more levels but widens the range you need; match spacing to recent swings."},
    {"title": "When to stop", "body": "Stop or move a grid when the price has left its range and the reason for the range no longer holds."}
  ]}',
 '[
    {"id": "mc-1", "question": "Which market suits a grid best?", "options": ["Ranging", "Trending", "Illiquid"], "answer": 0},
    {"id": "mc-2", "question": "Higher volatility means…", "options": ["Fewer fills", "More fills and a wider range needed", "No change"], "answer": 1},
    {"id": "mc-3", "question": "When should you stop a grid?", "options": ["After the first fill", "When the price has left the range and the thesis no longer holds", "Never"], "answer": 1}
  ]');

INSERT INTO education_module_prerequisites (module_id, required_module_id)
SELECT m.id, r.id
  FROM education_modules m
  JOIN education_modules r ON (m.slug, r.slug) IN (('risk-management', 'grid-basics'), ('market-conditions', 'risk-management'));

-- migrate:down
DROP VIEW IF EXISTS user_trading_summary, user_education_summary;
DROP TABLE IF EXISTS user_trading_stats, user_education_stats, user_sessions, user_grids, user_achievements,
  practice_sessions, user_module_progress, education_module_prerequisites, education_modules, users CASCADE;
-- apply_grid_delta(uuid, integer, user_grids) went with user_grids (CASCADE): it takes that row type.
DROP FUNCTION IF EXISTS track_grids(), track_curriculum(), refresh_education_readiness(),
  track_module_progress(), refresh_user_education_stats(uuid), create_user_stats(), cleanup_expired_sessions(interval, integer),
  enforce_module_unlock(), set_updated_at();
