-- Least privilege for functions (issue #10, items 1-2).
-- PostgreSQL grants EXECUTE on every new function to PUBLIC. Any role that could connect could therefore call the
-- SECURITY DEFINER rollup writers directly (apply_grid_delta let the read-only role add 1,000,000 ERG of profit).
-- Functions without a pinned search_path resolve table names through the caller's search_path, where a temporary
-- table (pg_temp is searched first by default) can shadow a real one: a temp education_modules with
-- required_score 0 let a failing score through the unlock trigger.
-- migrate:up

-- Functions this role creates from now on (every later migration runs as this role) start without EXECUTE for
-- PUBLIC; a migration grants EXECUTE to the role that needs it, and the privilege-matrix test has to list it.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Everything the schema owner already owns (extension members, e.g. pg_stat_statements, keep their own grants).
DO $$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.proowner = current_user::regrole
       AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', fn);
  END LOOP;
END
$$;

-- Triggers do not need EXECUTE at fire time, and the SECURITY DEFINER helpers run as this role: the only function
-- another role calls is the session cleanup (`npm run db -- maintenance`, as the app role).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'offthegrid_app') THEN
    GRANT EXECUTE ON FUNCTION cleanup_expired_sessions(interval, integer) TO offthegrid_app;
  END IF;
END
$$;

-- The summary views read one table each, so PostgreSQL makes them auto-updatable, and the default privileges gave the
-- app INSERT/UPDATE/DELETE on them: `UPDATE user_education_summary SET ready_for_trading = true` wrote the rollup
-- through the view with the view owner's rights. Views are for reading.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'offthegrid_app') THEN
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON user_education_summary, user_trading_summary FROM offthegrid_app;
  END IF;
END
$$;

-- The SECURITY DEFINER functions already pin `public, pg_temp`; the invoker functions get the same, with pg_temp
-- last so a caller's temporary table can never stand in for a schema table.
ALTER FUNCTION set_updated_at() SET search_path = public, pg_temp;
ALTER FUNCTION enforce_module_unlock() SET search_path = public, pg_temp;
ALTER FUNCTION cleanup_expired_sessions(interval, integer) SET search_path = public, pg_temp;

-- migrate:down
-- Back to 002's state (PostgreSQL's defaults), which is the state this migration exists to leave.
ALTER FUNCTION set_updated_at() RESET search_path;
ALTER FUNCTION enforce_module_unlock() RESET search_path;
ALTER FUNCTION cleanup_expired_sessions(interval, integer) RESET search_path;
DO $$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.proowner = current_user::regrole
       AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', fn);
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'offthegrid_app') THEN
    REVOKE EXECUTE ON FUNCTION cleanup_expired_sessions(interval, integer) FROM offthegrid_app;
    GRANT INSERT, UPDATE, DELETE ON user_education_summary, user_trading_summary TO offthegrid_app;
  END IF;
END
$$;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
