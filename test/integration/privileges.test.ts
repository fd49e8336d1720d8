import { strict as assert } from "node:assert";
import { type Client } from "pg";
import { INTENDED_PRIVILEGES, privilegeProblems } from "../../stack/schema/privileges";
import { sharedPostgres, withClient } from "../../testbed/postgres";
import { preparedDatabase } from "../support/prepared";
import { readPrivileges } from "../support/privileges";

describe("privilege matrix of the migrated schema (real PostgreSQL 17)", function () {
  it("grants exactly the intended privileges per role and PUBLIC on every object, and pins every search_path", async () => {
    const db = await preparedDatabase(await sharedPostgres(), "privileges");
    const observed = await withClient(db.as("admin"), (c) => readPrivileges(c as Client));
    assert.deepEqual(privilegeProblems(observed), []);
    assert.equal(observed.length, Object.keys(INTENDED_PRIVILEGES).length);
  });

  it("fails for an object nobody classified, and for a grant nobody intended", async () => {
    const db = await preparedDatabase(await sharedPostgres(), "privileges_new");
    await withClient(db.as("owner"), async (c) => {
      // What a later migration might do: both run as the owner, like sql/004 would.
      await c.query("CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY, note text)");
      await c.query(
        "CREATE FUNCTION audit_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM audit_log'",
      );
      await c.query("GRANT TRUNCATE ON users TO offthegrid_app");
    });
    const problems = privilegeProblems(await withClient(db.as("admin"), (c) => readPrivileges(c as Client)));
    const text = problems.join("\n");
    assert.match(text, /table public\.audit_log is not classified/);
    assert.match(text, /sequence public\.audit_log_id_seq is not classified/);
    // The default privileges from sql/003 already withhold EXECUTE from PUBLIC on the new function.
    assert.match(text, /function audit_count\(\) is not classified: .*"PUBLIC":""/);
    assert.match(text, /table public\.users: app is "SELECT,INSERT,UPDATE,DELETE,TRUNCATE"/);
  });
});
