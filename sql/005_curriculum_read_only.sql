-- The curriculum is content, not application data: the app is graded by it, so the app must not rewrite it
-- (issue #20 item 8: `UPDATE education_modules SET required_score = 0` and deleting prerequisites made
-- `ready_for_trading` true with a score of 0). The owner keeps it (migrations and seed data); the app and the
-- read-only role read it. A content editor, if one is ever needed, gets its own role and a documented grant.
-- migrate:up
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'offthegrid_app') THEN
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON education_modules, education_module_prerequisites FROM offthegrid_app;
  END IF;
END
$$;

-- migrate:down
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'offthegrid_app') THEN
    GRANT INSERT, UPDATE, DELETE ON education_modules, education_module_prerequisites TO offthegrid_app;
  END IF;
END
$$;
