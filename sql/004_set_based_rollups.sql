-- Set-based rollup maintenance, linear session cleanup, and the concepts the original platform schema had.
-- 001's row-level triggers updated a user's rollup once (or twice) per changed row: a 1M-row bulk load paid a
-- function call and a rollup-row update per grid. Statement-level triggers with transition tables instead fold a
-- whole statement's rows into one rollup update per user, locking the rollup rows in user_id order so concurrent
-- writers cannot deadlock. Helper functions run as the owner with search_path pinned to "public, pg_temp" (003's
-- convention; pg_catalog is searched first implicitly); none is callable by PUBLIC.
-- migrate:up

-- ---------------------------------------------------------------------------------------------------------
-- Concepts the original schema had (names kept where they differ, for whoever ports the app).
-- Original user_grids.current_value (part of the "performance metrics"): the grid's value now; NULL until the
-- first valuation. Original user_grids.filled_orders: orders filled over the grid's life (a level refills, so
-- it is not bounded by order_count).
ALTER TABLE user_grids
  ADD COLUMN current_value_erg numeric(30, 9) CHECK (current_value_erg >= 0),
  ADD COLUMN filled_orders integer NOT NULL DEFAULT 0 CHECK (filled_orders >= 0);
COMMENT ON COLUMN user_grids.current_value_erg IS 'Original name: current_value. NULL until first valued.';
COMMENT ON COLUMN user_grids.filled_orders IS 'Original name: filled_orders. Orders filled over the grid''s life.';

-- Original practice_sessions.successful_trades and grid_orders_created.
ALTER TABLE practice_sessions
  ADD COLUMN successful_trades integer NOT NULL DEFAULT 0 CHECK (successful_trades >= 0),
  ADD COLUMN grid_orders_created integer NOT NULL DEFAULT 0 CHECK (grid_orders_created >= 0),
  ADD CONSTRAINT practice_sessions_successful_trades_bound CHECK (successful_trades <= trades_executed);
COMMENT ON COLUMN practice_sessions.successful_trades IS 'Original name: successful_trades.';
COMMENT ON COLUMN practice_sessions.grid_orders_created IS 'Original name: grid_orders_created.';

-- Their per-user aggregates. Existing grids have filled_orders 0 and no valuation, so 0 is exact for them.
ALTER TABLE user_trading_stats
  ADD COLUMN filled_orders bigint NOT NULL DEFAULT 0 CHECK (filled_orders >= 0),
  ADD COLUMN active_value_erg numeric(30, 9) NOT NULL DEFAULT 0 CHECK (active_value_erg >= 0);
COMMENT ON COLUMN user_trading_stats.active_value_erg IS 'Sum of current_value_erg over the user''s active grids.';

-- ---------------------------------------------------------------------------------------------------------
-- Users: their two rollup rows, created once per statement.
CREATE FUNCTION create_user_stats_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO user_education_stats (user_id) SELECT id FROM new_users ORDER BY id;
  INSERT INTO user_trading_stats (user_id) SELECT id FROM new_users ORDER BY id;
  RETURN NULL;
END
$$;
DROP TRIGGER users_create_stats ON users;
CREATE TRIGGER users_create_stats AFTER INSERT ON users REFERENCING NEW TABLE AS new_users
  FOR EACH STATEMENT EXECUTE FUNCTION create_user_stats_rows();
DROP FUNCTION create_user_stats();

-- ---------------------------------------------------------------------------------------------------------
-- Grids: each statement's rows become one signed delta per user (+ for inserted/new rows, - for deleted/old
-- ones), applied as x = x + d, which stays exact under concurrent writers. Deadlocks: the rollup rows are
-- updated in user_id order, so statements touching overlapping users queue instead of deadlocking. That order
-- comes from the plan: the sorted deltas drive a nested loop over the primary key (hash and merge joins are
-- off for this function). One statement instead of a separate ordered SELECT … FOR UPDATE: each query a
-- trigger runs costs a one-row write ~15 µs, as much as the rollup update itself.
-- The three branches differ only in which transition tables exist (an INSERT trigger has no old rows); each is
-- one cached plan whose row estimates come from the transition tables.
CREATE FUNCTION track_grid_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE user_trading_stats s SET
      total_grids              = s.total_grids + d.total_grids,
      active_grids             = s.active_grids + d.active_grids,
      completed_grids          = s.completed_grids + d.completed_grids,
      total_profit_erg         = s.total_profit_erg + d.total_profit_erg,
      completed_profit_erg     = s.completed_profit_erg + d.completed_profit_erg,
      completed_profit_pct_sum = s.completed_profit_pct_sum + d.completed_profit_pct_sum,
      filled_orders            = s.filled_orders + d.filled_orders,
      active_value_erg         = s.active_value_erg + d.active_value_erg
    FROM (SELECT g.user_id,
                 sum(g.sign) AS total_grids,
                 coalesce(sum(g.sign) FILTER (WHERE g.status = 'active'), 0) AS active_grids,
                 coalesce(sum(g.sign) FILTER (WHERE g.status = 'completed'), 0) AS completed_grids,
                 sum(g.sign * g.profit_erg) AS total_profit_erg,
                 coalesce(sum(g.sign * g.profit_erg) FILTER (WHERE g.status = 'completed'), 0) AS completed_profit_erg,
                 coalesce(sum(g.sign * g.profit_percent) FILTER (WHERE g.status = 'completed'), 0) AS completed_profit_pct_sum,
                 sum(g.sign * g.filled_orders) AS filled_orders,
                 coalesce(sum(g.sign * g.current_value_erg) FILTER (WHERE g.status = 'active'), 0) AS active_value_erg
            FROM (SELECT 1 AS sign, g.user_id, g.status, g.profit_erg, g.profit_percent, g.filled_orders, g.current_value_erg FROM new_grids g) g
           GROUP BY g.user_id
           ORDER BY g.user_id) d
    WHERE s.user_id = d.user_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE user_trading_stats s SET
      total_grids              = s.total_grids + d.total_grids,
      active_grids             = s.active_grids + d.active_grids,
      completed_grids          = s.completed_grids + d.completed_grids,
      total_profit_erg         = s.total_profit_erg + d.total_profit_erg,
      completed_profit_erg     = s.completed_profit_erg + d.completed_profit_erg,
      completed_profit_pct_sum = s.completed_profit_pct_sum + d.completed_profit_pct_sum,
      filled_orders            = s.filled_orders + d.filled_orders,
      active_value_erg         = s.active_value_erg + d.active_value_erg
    FROM (SELECT g.user_id,
                 sum(g.sign) AS total_grids,
                 coalesce(sum(g.sign) FILTER (WHERE g.status = 'active'), 0) AS active_grids,
                 coalesce(sum(g.sign) FILTER (WHERE g.status = 'completed'), 0) AS completed_grids,
                 sum(g.sign * g.profit_erg) AS total_profit_erg,
                 coalesce(sum(g.sign * g.profit_erg) FILTER (WHERE g.status = 'completed'), 0) AS completed_profit_erg,
                 coalesce(sum(g.sign * g.profit_percent) FILTER (WHERE g.status = 'completed'), 0) AS completed_profit_pct_sum,
                 sum(g.sign * g.filled_orders) AS filled_orders,
                 coalesce(sum(g.sign * g.current_value_erg) FILTER (WHERE g.status = 'active'), 0) AS active_value_erg
            FROM (SELECT -1 AS sign, g.user_id, g.status, g.profit_erg, g.profit_percent, g.filled_orders, g.current_value_erg FROM old_grids g) g
           GROUP BY g.user_id
           ORDER BY g.user_id) d
    WHERE s.user_id = d.user_id;
  ELSE
    UPDATE user_trading_stats s SET
      total_grids              = s.total_grids + d.total_grids,
      active_grids             = s.active_grids + d.active_grids,
      completed_grids          = s.completed_grids + d.completed_grids,
      total_profit_erg         = s.total_profit_erg + d.total_profit_erg,
      completed_profit_erg     = s.completed_profit_erg + d.completed_profit_erg,
      completed_profit_pct_sum = s.completed_profit_pct_sum + d.completed_profit_pct_sum,
      filled_orders            = s.filled_orders + d.filled_orders,
      active_value_erg         = s.active_value_erg + d.active_value_erg
    FROM (SELECT g.user_id,
                 sum(g.sign) AS total_grids,
                 coalesce(sum(g.sign) FILTER (WHERE g.status = 'active'), 0) AS active_grids,
                 coalesce(sum(g.sign) FILTER (WHERE g.status = 'completed'), 0) AS completed_grids,
                 sum(g.sign * g.profit_erg) AS total_profit_erg,
                 coalesce(sum(g.sign * g.profit_erg) FILTER (WHERE g.status = 'completed'), 0) AS completed_profit_erg,
                 coalesce(sum(g.sign * g.profit_percent) FILTER (WHERE g.status = 'completed'), 0) AS completed_profit_pct_sum,
                 sum(g.sign * g.filled_orders) AS filled_orders,
                 coalesce(sum(g.sign * g.current_value_erg) FILTER (WHERE g.status = 'active'), 0) AS active_value_erg
            FROM (SELECT 1 AS sign, g.user_id, g.status, g.profit_erg, g.profit_percent, g.filled_orders, g.current_value_erg FROM new_grids g
                  UNION ALL
                  SELECT -1, g.user_id, g.status, g.profit_erg, g.profit_percent, g.filled_orders, g.current_value_erg FROM old_grids g) g
           GROUP BY g.user_id
           ORDER BY g.user_id) d
    WHERE s.user_id = d.user_id
      -- Rows whose rollup columns did not change (tx ids, box id, valuation of a finished grid) net to zero.
      AND (d.total_grids, d.active_grids, d.completed_grids, d.total_profit_erg, d.completed_profit_erg,
           d.completed_profit_pct_sum, d.filled_orders, d.active_value_erg) <> (0, 0, 0, 0, 0, 0, 0, 0);
  END IF;
  RETURN NULL;
END
$$;
DROP TRIGGER user_grids_stats ON user_grids;
DROP FUNCTION track_grids();
DROP FUNCTION apply_grid_delta(uuid, integer, user_grids);
CREATE TRIGGER user_grids_stats_insert AFTER INSERT ON user_grids REFERENCING NEW TABLE AS new_grids
  FOR EACH STATEMENT EXECUTE FUNCTION track_grid_rollups();
CREATE TRIGGER user_grids_stats_update AFTER UPDATE ON user_grids REFERENCING OLD TABLE AS old_grids NEW TABLE AS new_grids
  FOR EACH STATEMENT EXECUTE FUNCTION track_grid_rollups();
CREATE TRIGGER user_grids_stats_delete AFTER DELETE ON user_grids REFERENCING OLD TABLE AS old_grids
  FOR EACH STATEMENT EXECUTE FUNCTION track_grid_rollups();

-- ---------------------------------------------------------------------------------------------------------
-- Module progress: the affected users' education rollups recomputed once per statement. Rows are locked in
-- user_id order first; the aggregate, a later statement, then reads a snapshot that includes every writer that
-- held the lock before us, so the result is exact (as 001's per-row refresh was).
CREATE FUNCTION refresh_education_stats_for(targets uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM 1 FROM user_education_stats WHERE user_id = ANY (targets) ORDER BY user_id FOR NO KEY UPDATE;
  UPDATE user_education_stats s SET
    modules_started    = coalesce(agg.started, 0),
    modules_completed  = coalesce(agg.completed, 0),
    required_completed = coalesce(agg.required_completed, 0),
    scored_modules     = coalesce(agg.scored, 0),
    best_score_sum     = coalesce(agg.score_sum, 0),
    ready_for_trading  = req.total > 0 AND coalesce(agg.required_completed, 0) >= req.total
  FROM unnest(targets) t(user_id)
  LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE p.status <> 'not_started')                                AS started,
           count(*) FILTER (WHERE p.status = 'completed')                                   AS completed,
           count(*) FILTER (WHERE p.status = 'completed' AND m.is_active AND m.is_required) AS required_completed,
           count(p.best_score)                                                              AS scored,
           coalesce(sum(p.best_score), 0)                                                   AS score_sum
      FROM user_module_progress p JOIN education_modules m ON m.id = p.module_id
     WHERE p.user_id = t.user_id
  ) agg ON true,
  (SELECT count(*) AS total FROM education_modules WHERE is_active AND is_required) req
  WHERE s.user_id = t.user_id;
END
$$;

CREATE FUNCTION track_module_progress_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  targets uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    targets := ARRAY(SELECT DISTINCT user_id FROM new_progress ORDER BY 1);
  ELSIF TG_OP = 'DELETE' THEN
    targets := ARRAY(SELECT DISTINCT user_id FROM old_progress ORDER BY 1);
  ELSE
    targets := ARRAY(SELECT user_id FROM new_progress UNION SELECT user_id FROM old_progress ORDER BY 1);
  END IF;
  IF cardinality(targets) > 0 THEN
    PERFORM refresh_education_stats_for(targets);
  END IF;
  RETURN NULL;
END
$$;
DROP TRIGGER user_module_progress_stats ON user_module_progress;
DROP FUNCTION track_module_progress();
DROP FUNCTION refresh_user_education_stats(uuid);
CREATE TRIGGER user_module_progress_stats_insert AFTER INSERT ON user_module_progress
  REFERENCING NEW TABLE AS new_progress FOR EACH STATEMENT EXECUTE FUNCTION track_module_progress_rollups();
CREATE TRIGGER user_module_progress_stats_update AFTER UPDATE ON user_module_progress
  REFERENCING OLD TABLE AS old_progress NEW TABLE AS new_progress
  FOR EACH STATEMENT EXECUTE FUNCTION track_module_progress_rollups();
CREATE TRIGGER user_module_progress_stats_delete AFTER DELETE ON user_module_progress
  REFERENCING OLD TABLE AS old_progress FOR EACH STATEMENT EXECUTE FUNCTION track_module_progress_rollups();

-- ---------------------------------------------------------------------------------------------------------
-- Expired-session cleanup, linear in the rows deleted. 001 took "any 10,000 expired rows" by ctid: the planner
-- chose a sequential scan that re-read, batch after batch, the dead rows earlier batches left at the start of
-- the heap. Here each batch walks the expiry index from its low end to find its key range [lo, hi], deletes
-- [lo, hi) with one range scan (a bitmap scan: heap pages in physical order, each once), then tops the batch up
-- with rows expiring exactly at hi, so a batch is exactly batch_size rows while that many remain and many
-- sessions sharing one expiry (a bulk import) still go batch_size at a time. Dead index entries left by the
-- previous batch are skipped once and then marked dead in the index, so batches do not slow down.
CREATE OR REPLACE FUNCTION cleanup_expired_sessions(retention interval DEFAULT '7 days', batch_size integer DEFAULT 10000)
RETURNS integer
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  cutoff timestamptz;
  lo timestamptz;
  hi timestamptz;
  deleted integer;
  ties integer;
BEGIN
  IF retention < interval '0' OR batch_size < 1 THEN
    RAISE EXCEPTION 'cleanup_expired_sessions: retention must be >= 0 and batch_size >= 1 (got %, %)',
      retention, batch_size USING ERRCODE = 'invalid_parameter_value';
  END IF;
  cutoff := now() - retention;
  SELECT min(k.expires_at), max(k.expires_at) INTO lo, hi
    FROM (SELECT expires_at FROM user_sessions WHERE expires_at < cutoff ORDER BY expires_at LIMIT batch_size) k;
  IF lo IS NULL THEN
    RETURN 0;
  END IF;
  DELETE FROM user_sessions WHERE expires_at >= lo AND expires_at < hi;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  DELETE FROM user_sessions
   WHERE ctid = ANY (ARRAY(SELECT ctid FROM user_sessions WHERE expires_at = hi LIMIT batch_size - deleted))
     AND expires_at = hi;
  GET DIAGNOSTICS ties = ROW_COUNT;
  RETURN deleted + ties;
END
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Summary views gain the wallet address (dashboards joined users for it) and the new aggregates. LEFT JOIN on
-- the users primary key: queries that do not ask for the wallet skip the join entirely (join removal).
CREATE OR REPLACE VIEW user_education_summary AS
SELECT s.user_id,
       s.modules_started,
       s.modules_completed,
       CASE WHEN s.scored_modules > 0 THEN round(s.best_score_sum::numeric / s.scored_modules, 2) END AS average_score,
       s.required_completed,
       s.ready_for_trading,
       u.wallet_address
  FROM user_education_stats s LEFT JOIN users u ON u.id = s.user_id;

CREATE OR REPLACE VIEW user_trading_summary AS
SELECT s.user_id,
       s.total_grids,
       s.active_grids,
       s.completed_grids,
       s.total_profit_erg,
       s.completed_profit_erg,
       CASE WHEN s.completed_grids > 0 THEN round(s.completed_profit_pct_sum / s.completed_grids, 4) END AS average_profit_percent,
       u.wallet_address,
       -- Original name: filled_orders (summed over the user's grids).
       s.filled_orders,
       -- Original name: current_value (summed over the user's active grids).
       s.active_value_erg
  FROM user_trading_stats s LEFT JOIN users u ON u.id = s.user_id;

-- Nothing here is for direct calls by other roles (the triggers run them as the owner).
REVOKE EXECUTE ON FUNCTION create_user_stats_rows(),
  track_grid_rollups(), refresh_education_stats_for(uuid[]), track_module_progress_rollups() FROM PUBLIC;

-- migrate:down
-- Back to 001's row-level triggers and views (their functions are recreated as 001 defined them).
DROP VIEW user_trading_summary, user_education_summary;
DROP TRIGGER user_grids_stats_insert ON user_grids;
DROP TRIGGER user_grids_stats_update ON user_grids;
DROP TRIGGER user_grids_stats_delete ON user_grids;
DROP TRIGGER user_module_progress_stats_insert ON user_module_progress;
DROP TRIGGER user_module_progress_stats_update ON user_module_progress;
DROP TRIGGER user_module_progress_stats_delete ON user_module_progress;
DROP TRIGGER users_create_stats ON users;
DROP FUNCTION track_grid_rollups(), track_module_progress_rollups(),
  refresh_education_stats_for(uuid[]), create_user_stats_rows();
ALTER TABLE user_trading_stats DROP COLUMN filled_orders, DROP COLUMN active_value_erg;
ALTER TABLE practice_sessions DROP CONSTRAINT practice_sessions_successful_trades_bound,
  DROP COLUMN successful_trades, DROP COLUMN grid_orders_created;
ALTER TABLE user_grids DROP COLUMN current_value_erg, DROP COLUMN filled_orders;
CREATE FUNCTION create_user_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO user_education_stats (user_id) VALUES (NEW.id);
  INSERT INTO user_trading_stats (user_id) VALUES (NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER users_create_stats AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION create_user_stats();

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

CREATE OR REPLACE FUNCTION cleanup_expired_sessions(retention interval DEFAULT '7 days', batch_size integer DEFAULT 10000)
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

-- What 003 set on the objects this section recreated: a pinned search_path on the cleanup, and no DML on the
-- single-table (auto-updatable) summary views for the app.
ALTER FUNCTION cleanup_expired_sessions(interval, integer) SET search_path = public, pg_temp;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'offthegrid_app') THEN
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON user_education_summary, user_trading_summary FROM offthegrid_app;
  END IF;
END
$$;
