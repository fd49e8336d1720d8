// The owner role (or a hostile migration file) becoming superuser through the ops CLI.
// Item 1: migrations.history replaced by a view calling a PUBLIC function that makes the owner superuser when
// the caller is one; `restore` (status afterwards) and `reset` read it as the admin. Item 2: `reset` ran
// migrations in an admin session acting as the owner, so a file's `SET ROLE NONE` ran the rest as superuser.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TestPostgres, startPostgres, withClient } from "../../testbed/postgres";
import { parseMigration } from "../../migrator";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";
import { opsCli } from "./support";

const OWNER_MEMBER = "offthegrid_owner_a";

/** The trap: harmless for the owner, `ALTER ROLE … SUPERUSER` for a superuser caller. */
const TRAP = `
  CREATE FUNCTION public.trap() RETURNS boolean LANGUAGE plpgsql AS $$
  BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
      EXECUTE 'ALTER ROLE ${OWNER_MEMBER} SUPERUSER';
    END IF;
    RETURN true;
  END $$;
  GRANT EXECUTE ON FUNCTION public.trap() TO PUBLIC;
  ALTER TABLE migrations.history RENAME TO history_kept;
  CREATE VIEW migrations.history AS SELECT * FROM migrations.history_kept WHERE public.trap();`;

const UNDO_TRAP = `
  DO $$ BEGIN
    IF to_regclass('migrations.history_kept') IS NOT NULL THEN
      DROP VIEW migrations.history;
      ALTER TABLE migrations.history_kept RENAME TO history;
    END IF;
  END $$;
  DROP FUNCTION IF EXISTS public.trap();
  DROP TRIGGER IF EXISTS watch ON migrations.history;
  DROP TABLE IF EXISTS migrations.seen;
  DROP FUNCTION IF EXISTS migrations.watch();`;

describe("adversarial: the owner cannot become superuser through restore or reset (real PostgreSQL 15)", function () {
  this.timeout(120_000);
  let pg: TestPostgres;
  let dev: PreparedDatabase;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-adv-escalation-"));
  const superuser = () =>
    withClient(
      dev.as("admin"),
      async (c) =>
        (await c.query("SELECT rolsuper FROM pg_roles WHERE rolname = $1", [OWNER_MEMBER])).rows[0],
    );

  before(async () => {
    pg = await startPostgres({ major: 15 });
    dev = await preparedDatabase(pg, "adv_escalation", "dev");
  });
  afterEach(async () => {
    await withClient(dev.as("admin"), (c) => c.query(`ALTER ROLE ${OWNER_MEMBER} NOSUPERUSER`));
    await withClient(dev.as("owner"), (c) => c.query(UNDO_TRAP));
  });
  after(async () => {
    await pg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("restore: the status read afterwards refuses a history view instead of evaluating it as the admin", async () => {
    await withClient(dev.as("owner"), (c) => c.query(TRAP));
    const backup = await opsCli(["backup", "--postgres-only", "--dir", path.join(tmp, "b"), "--json"], {
      DATABASE_URL: dev.url("readonly"),
    });
    assert.equal(backup.code, 0, String(backup.error));
    const restored = await opsCli(["restore", JSON.parse(backup.out).postgres, "--force"], {
      ADMIN_DATABASE_URL: dev.url("admin"),
    });
    assert.deepEqual(await superuser(), { rolsuper: false }, "the owner's member stayed NOSUPERUSER");
    assert.notEqual(restored.code, 0);
    assert.match(
      String(restored.error),
      /Refusing to read "migrations"\."history": it is not a plain table \(relkind v\)/,
    );
  });

  // Item 1b: pg_restore loaded the dump logged in as the admin, so a CHECK constraint calling an owner
  // function ran as superuser for every restored row.
  it("restore: a CHECK constraint calling an owner function never runs as a superuser during the data load", async () => {
    await withClient(dev.as("owner"), (c) =>
      c.query(`
        CREATE FUNCTION public.escalate(x int) RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN
          IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            EXECUTE 'ALTER ROLE ${OWNER_MEMBER} SUPERUSER';
          END IF;
          RETURN true;
        END $$;
        CREATE TABLE public.armed (id int CHECK (public.escalate(id)));
        INSERT INTO public.armed VALUES (1);`),
    );
    try {
      const backup = await opsCli(["backup", "--postgres-only", "--dir", path.join(tmp, "c"), "--json"], {
        DATABASE_URL: dev.url("readonly"),
      });
      assert.equal(backup.code, 0, String(backup.error));
      const restored = await opsCli(["restore", JSON.parse(backup.out).postgres, "--force"], {
        ADMIN_DATABASE_URL: dev.url("admin"),
      });
      assert.deepEqual(await superuser(), { rolsuper: false }, "the owner's member stayed NOSUPERUSER");
      assert.equal(restored.code, 0, String(restored.error));
      const rows = await withClient(
        dev.as("owner"),
        async (c) => (await c.query("SELECT id FROM public.armed")).rows,
      );
      assert.deepEqual(rows, [{ id: 1 }], "the data still loaded");
    } finally {
      await withClient(dev.as("owner"), (c) =>
        c.query("DROP TABLE IF EXISTS public.armed; DROP FUNCTION IF EXISTS public.escalate(int);"),
      );
    }
  });

  it("reset: runs as the owner, so the trap finds no superuser (even when an admin URL is in the environment)", async () => {
    await withClient(dev.as("owner"), (c) => c.query(TRAP));
    const reset = await opsCli(["reset", "--yes"], {
      ADMIN_DATABASE_URL: dev.url("admin"),
      DATABASE_URL: dev.url("owner"),
    });
    assert.deepEqual(await superuser(), { rolsuper: false });
    assert.ok(reset.code !== 0 || /rolled back/.test(reset.out), String(reset.error));
  });

  it("reset: a migration cannot switch back to the session user; the file is refused with file:line", async () => {
    const escape = parseMigrationError(
      "009_escape.sql",
      "-- migrate:up\nCREATE TABLE t (id int);\n  set   Role   NONE;\nALTER ROLE x SUPERUSER;\n",
    );
    assert.match(escape, /009_escape\.sql \(line 3\).*changes the session's role/);
    for (const statement of [
      "SET SESSION AUTHORIZATION postgres",
      "SET LOCAL ROLE postgres",
      'SET "role" = none',
      "RESET ROLE",
      "reset session authorization",
    ])
      assert.match(
        parseMigrationError("010_x.sql", `-- migrate:up\n${statement};\n`),
        /\(line 2\)/,
        statement,
      );
    // A plain setting, and an identifier that merely starts with "role", stay allowed.
    parseMigration("011_ok.sql", "-- migrate:up\nSET LOCAL work_mem = '8MB';\nSET roles_x.y = 1;\n");
  });

  it("reset: owner code that fires while migrations run sees the owner's member as session_user, never the admin", async () => {
    // The owner may put a trigger on its own history table; the runner writes a row per file it applies.
    await withClient(dev.as("owner"), (c) =>
      c.query(`
        CREATE TABLE migrations.seen (session_user_name text);
        CREATE FUNCTION migrations.watch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO migrations.seen VALUES (session_user);
          IF (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
            SET ROLE NONE;
            EXECUTE 'ALTER ROLE ${OWNER_MEMBER} SUPERUSER';
          END IF;
          RETURN NULL;
        END $$;
        CREATE TRIGGER watch AFTER INSERT ON migrations.history FOR EACH ROW EXECUTE FUNCTION migrations.watch();`),
    );
    const reset = await opsCli(["reset", "--yes"], {
      ADMIN_DATABASE_URL: dev.url("admin"),
      DATABASE_URL: dev.url("owner"),
    });
    assert.deepEqual(await superuser(), { rolsuper: false });
    assert.equal(reset.code, 0, String(reset.error));
    const seen = await withClient(dev.as("owner"), async (c) => {
      const { rows } = await c.query("SELECT DISTINCT session_user_name FROM migrations.seen");
      return rows.map((r) => r.session_user_name);
    });
    assert.deepEqual(seen, [OWNER_MEMBER]);
  });
});

function parseMigrationError(name: string, text: string): string {
  try {
    parseMigration(name, text);
  } catch (err) {
    return (err as Error).message;
  }
  return "parsed without error";
}
