-- Display preferences the app reads on every page load, as typed columns rather than keys in users.preferences.
-- migrate:up
ALTER TABLE users
  ADD COLUMN theme text NOT NULL DEFAULT 'system' CHECK (theme IN ('light', 'dark', 'system')),
  ADD COLUMN notifications_enabled boolean NOT NULL DEFAULT true;

-- migrate:down
ALTER TABLE users
  DROP COLUMN IF EXISTS notifications_enabled,
  DROP COLUMN IF EXISTS theme;
