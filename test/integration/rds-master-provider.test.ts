// The SchemaMigrations provider, loaded from its serialized __provider as the engine's host loads it, run by
// a non-superuser CREATEROLE admin (the RDS master stand-in, test/support/rds-master.ts) on real PostgreSQL
// 17: what the bootstrap could not do reaches the outputs (`warnings`), in a full apply and in a partial
// failure, with no secret in them (the key is not secret, so the state holds it in plaintext). The program
// turns them into `pulumi up` diagnostics (test/stack/schema-warnings.test.ts).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseMigration } from "../../migrator";
import { SQL_DIR } from "../../testbed/root";
import { plain } from "../../testbed/mocks";
import { TestPostgres, startPostgres } from "../../testbed/postgres";
import { postgresParameters } from "../../stack/postgres/rds-parameters";
import { ofType, runStack, stackConfig } from "../../testbed/stack";
import { SCHEMA_ROLES, memberName } from "../../stack/credentials/roles";
import { MASTER, RdsLikeDatabase, createMaster, rdsLikeDatabase } from "../support/rds-master";
import { ROLE_PASSWORDS, memberPassword } from "../support/prepared";

const requireFromString = require("require-from-string");

/**
 * The stack's RDS parameter group's statement logging and pg_stat_statements settings, as server flags: what
 * the master's refused SET LOCALs would have switched off is judged against them (slow statements logged,
 * utility statements not tracked).
 */
const LOGGING_PARAMETERS = postgresParameters({ instanceClass: "db.t4g.micro", maxConnections: 100 })
  .filter((p) => p.name.startsWith("pg_stat_statements.") || p.name.startsWith("log_"))
  .flatMap((p) => ["-c", `${p.name}=${p.value}`]);
const TYPE = "pulumi-nodejs:dynamic/offthegrid:SchemaMigrations";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A copy of sql/ the provider reads the SQL from (inputs.directory); migration() adds files to it. */
let directory: string;

/** Writes `name` into the test's migration directory; the provider's input for it ({ name: checksum }). */
function migration(name: string, body: string): Record<string, string> {
  const sql = `-- migrate:up\n${body}`;
  fs.writeFileSync(path.join(directory, name), sql);
  return { [name]: parseMigration(name, sql).checksum };
}

/** The stack's roles with the passwords the stand-in's bootstrap set (so other logins keep working). */
function roleInputs() {
  const keys = Object.keys(ROLE_PASSWORDS) as (keyof typeof ROLE_PASSWORDS)[];
  return Object.fromEntries(
    keys.map((key) => {
      const group = SCHEMA_ROLES[key].name;
      return [
        key,
        {
          group,
          epoch: 0,
          current: { name: memberName(group, "a"), password: memberPassword(key, "a") },
          previous: { name: memberName(group, "b"), password: memberPassword(key, "b") },
        },
      ];
    }),
  );
}

/**
 * What the master is told it could not do, in substance (rds-master.test.ts asserts the bootstrap's own
 * report).
 */
function assertReported(warnings: unknown): void {
  assert.ok(Array.isArray(warnings), `warnings is a list: ${JSON.stringify(warnings)}`);
  const text = warnings.join("\n");
  assert.match(text, /temp_file_limit could not be set for offthegrid_app_a: permission denied/);
  assert.match(
    text,
    /PUBLIC can still execute 23 catalog functions this admin may not revoke.*lo_create\(oid\)/,
  );
  assert.match(text, /CONNECT and TEMPORARY on database postgres are still granted to PUBLIC/);
  assert.match(
    text,
    /log_min_duration_statement and log_parameter_max_length could not be set .*bind parameters/,
  );
  // Refused too, but the parameter group already has it off: nothing to report (no warning the user must
  // learn to ignore).
  assert.doesNotMatch(text, /track_utility/);
  for (const secret of [
    ...Object.values(ROLE_PASSWORDS),
    ...Object.values(ROLE_PASSWORDS).map((p) => `${p}-b`),
  ])
    assert.ok(!text.includes(secret), "no password in the warnings");
  assert.ok(!/SCRAM-SHA-256\$|md5[0-9a-f]{32}/.test(text), "no verifier in the warnings");
}

describe("SchemaMigrations provider run by a non-superuser admin (RDS master stand-in, real PostgreSQL 17): warnings in the outputs", function () {
  this.timeout(120_000);
  let pg: TestPostgres;
  let db: RdsLikeDatabase;
  let provider: any;
  let inputs: any;

  before(async () => {
    const run = await runStack("dev", stackConfig("Pulumi.dev.yaml"));
    const captured = plain(ofType(run, TYPE)[0].inputs) as Record<string, any>;
    provider = requireFromString(captured.__provider).handler();
    pg = await startPostgres({ major: 17, extraFlags: LOGGING_PARAMETERS });
    await createMaster(pg);
    db = await rdsLikeDatabase(pg, "rdsprovider");
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "rds-provider-sql-"));
    fs.cpSync(SQL_DIR, directory, { recursive: true });
    inputs = {
      ...captured,
      directory,
      connection: { host: "127.0.0.1", port: pg.port, database: db.name, sslmode: "disable" },
      admin: { user: MASTER, password: db.master.password, managePassword: false },
      roles: roleInputs(),
      marker: { environment: "prod", stack: "test" },
    };
  });
  after(async () => pg?.stop());

  it("create and update return what the bootstrap could not do; check echoes the key (unknown in a preview)", async () => {
    const checked = await provider.check({}, inputs);
    assert.deepEqual(checked.failures, []);
    assert.deepEqual(checked.inputs.warnings, [], "an up's check returns a known value");
    const preview = await provider.check({}, { ...inputs, warnings: UNKNOWN });
    assert.equal(preview.inputs.warnings, UNKNOWN, "a preview shows the key as computed, not as removed");
    const { id, outs } = await provider.create(checked.inputs);
    assertReported(outs.warnings);
    const again = await provider.update(id, outs, checked.inputs);
    assert.deepEqual(again.outs.warnings, outs.warnings, "the same report on every run");
    assert.equal(
      (await provider.diff(id, again.outs, checked.inputs)).changes,
      false,
      "warnings are not diffed",
    );
    const refreshed = await provider.read(id, again.outs);
    assert.deepEqual(refreshed.props.warnings, outs.warnings, "a refresh keeps them");
  });

  it("a partial failure records them in the properties the engine keeps", async () => {
    const { id, outs } = await provider.create(inputs);
    const broken = {
      ...inputs,
      migrations: {
        ...inputs.migrations,
        ...migration("901_ok.sql", "CREATE TABLE notes (id int);"),
        ...migration("902_bad.sql", "ALTER TABLE nope ADD COLUMN x int;"),
      },
    };
    const err = await provider.update(id, outs, broken).catch((e: unknown) => e);
    assert.match(err?.reasons?.[0] ?? String(err), /902_bad\.sql \(up\) failed/);
    assertReported(err.properties.warnings);
  });
});
