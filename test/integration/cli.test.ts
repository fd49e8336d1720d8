import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { program as dbProgram } from "../../cli/db";
import { program as migrateProgram } from "../../cli/migrate";
import { sharedPostgres } from "../../testbed/postgres";
import { ROOT } from "../../testbed/stack";
import { bin } from "../support/bin";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";

/** A copy of the checkout's sql/ with one file added. */
function sqlDirWith(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-sql-"));
  fs.cpSync(path.join(ROOT, "sql"), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The checkout's sql/ plus 900_unsafe.sql: one refused statement (line 3) and one opted out (line 4). */
const unsafeDir = () =>
  sqlDirWith(
    "900_unsafe.sql",
    "-- migrate:allow drop-column the app stopped reading legacy_flag in release 41\n-- migrate:up\n" +
      "CREATE INDEX users_created ON users (created_at);\nALTER TABLE users DROP COLUMN IF EXISTS legacy_flag;\n",
  );

const PROGRAMS = [
  ["offthegrid-migrate", migrateProgram],
  ["offthegrid-db", dbProgram],
] as const;

describe("compiled CLIs: one shape (help, exit codes, stdout vs stderr, --json)", function () {
  this.timeout(60_000);

  for (const [name, program] of PROGRAMS) {
    it(`${name} --help lists every command on stdout and exits 0`, async () => {
      const run = await bin(name, ["--help"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      assert.match(run.stdout, new RegExp(`^Usage: ${name} <command>`, "m"));
      for (const command of program.commands)
        assert.match(run.stdout, new RegExp(`^  ${command.name}\\b`, "m"));
      assert.match(run.stdout, /Exit codes: 0 done\/healthy, 1 failed\/down, 2 usage/);
    });

    it(`${name}: every command has --help with its options (and --json where scripts read the result)`, async () => {
      for (const command of program.commands) {
        const run = await bin(name, [command.name, "--help"]);
        assert.equal(run.code, 0, `${command.name}: ${run.stderr}`);
        assert.match(run.stdout, new RegExp(`^Usage: ${name} ${command.name}\\b`, "m"));
        assert.match(run.stdout, /--help/);
        assert.equal(/--json/.test(run.stdout), command.json === true, `${command.name} --json`);
      }
    });

    it(`${name}: usage errors exit 2 with the message on stderr and nothing on stdout`, async () => {
      for (const argv of [[], ["frobnicate"], [program.commands[0].name, "--no-such-flag"]]) {
        const run = await bin(name, argv);
        assert.equal(run.code, 2, `${argv.join(" ")}: ${run.stderr}`);
        assert.equal(run.stdout, "", argv.join(" "));
        assert.ok(run.stderr.length > 0);
      }
      assert.match((await bin(name, ["frobnicate"])).stderr, /^error: unknown command "frobnicate"/m);
    });
  }

  it("status, plan, health and metrics offer --json", () => {
    const json = (p: typeof migrateProgram) => p.commands.filter((c) => c.json).map((c) => c.name);
    assert.deepEqual(json(migrateProgram), ["status", "plan", "lint"]);
    assert.deepEqual(json(dbProgram).slice(0, 2), ["health", "metrics"]);
  });

  it("a missing DATABASE_URL is a usage error (2) naming the variable", async () => {
    const migrate = await bin("offthegrid-migrate", ["status"]);
    assert.equal(migrate.code, 2);
    assert.match(migrate.stderr, /DATABASE_URL is not set/);
    const db = await bin("offthegrid-db", ["health"]);
    assert.equal(db.code, 2);
    assert.match(db.stderr, /DATABASE_URL \(or --database-url-file FILE\) is not set/);
    const down = await bin("offthegrid-migrate", ["down", "zero"], {
      DATABASE_URL: "postgresql://x@127.0.0.1:1/x",
    });
    assert.equal(down.code, 2);
  });

  it("verify exits 0 on the checkout's sql/ and 1 on a directory whose sum file is stale", async () => {
    const ok = await bin("offthegrid-migrate", ["verify"]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-sql-"));
    try {
      fs.cpSync(path.join(ROOT, "sql"), dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "999_extra.sql"), "-- migrate:up\nSELECT 1;\n");
      const stale = await bin("offthegrid-migrate", ["verify", "--dir", dir]);
      assert.equal(stale.code, 1);
      assert.match(stale.stdout, /999_extra\.sql/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lint exits 0 on the checkout's sql/ and 1 naming file:line and rule for an unsafe new file", async () => {
    const ok = await bin("offthegrid-migrate", ["lint"]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^0 refused/m);
    const dir = unsafeDir();
    try {
      const bad = await bin("offthegrid-migrate", ["lint", "--dir", dir]);
      assert.equal(bad.code, 1, bad.stderr);
      assert.match(
        bad.stdout,
        /^✗ 900_unsafe\.sql:3 create-index-non-concurrent: .*SHARE lock.* Safe: CREATE INDEX CONCURRENTLY/m,
      );
      assert.match(bad.stdout, /^~ 900_unsafe\.sql:4 drop-column: .*Allowed by the file: the app stopped/m);
      const json = JSON.parse((await bin("offthegrid-migrate", ["lint", "--json", "--dir", dir])).stdout);
      assert.equal(json.refused, 1);
      assert.deepEqual(
        json.findings.map((f: { rule: string; line: number }) => `${f.line} ${f.rule}`),
        ["3 create-index-non-concurrent", "4 drop-column"],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("against a real database", () => {
    let db: PreparedDatabase;
    before(async () => {
      db = await preparedDatabase(await sharedPostgres(), "cli");
    });

    it("down and up: results on stdout, per-migration progress on stderr", async () => {
      const env = { DATABASE_URL: db.url("owner") };
      const down = await bin("offthegrid-migrate", ["down", "1", "--yes"], env);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(down.stdout, "rolled back 1 migration(s)\n");
      assert.match(down.stderr, /← \d{3}_[a-z_]+\.sql … done/);
      const up = await bin("offthegrid-migrate", ["up"], env);
      assert.equal(up.code, 0, up.stderr);
      assert.match(up.stdout, /^applied 1 migration\(s\) in \d+ ms\n$/);
      assert.match(up.stderr, /→ \d{3}_[a-z_]+\.sql … done/);
    });

    it("status --json and plan --json print one JSON document", async () => {
      const env = { DATABASE_URL: db.url("owner") };
      const status = await bin("offthegrid-migrate", ["status", "--json"], env);
      assert.equal(status.code, 0, status.stderr);
      const report = JSON.parse(status.stdout);
      assert.equal(report.pending, 0);
      const files = fs.readdirSync(path.join(ROOT, "sql")).filter((f) => f.endsWith(".sql"));
      assert.deepEqual(
        report.migrations.map((m: { name: string; state: string }) => `${m.state} ${m.name}`),
        files.sort().map((f) => `applied ${f}`),
      );
      const plan = await bin("offthegrid-migrate", ["plan", "--json"], env);
      assert.deepEqual(JSON.parse(plan.stdout), { pending: [], refused: 0 });
    });

    it("plan shows the lock_timeout up really uses: 0 for a concurrent index build in a no-transaction file", async () => {
      const env = { DATABASE_URL: db.url("owner") };
      const dir = sqlDirWith(
        "900_concurrent.sql",
        "-- migrate:no-transaction\n-- migrate:up\nCREATE INDEX CONCURRENTLY users_created ON users (created_at);\n" +
          "ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;\n",
      );
      try {
        assert.equal((await bin("offthegrid-migrate", ["sum", "--dir", dir])).code, 0);
        const plan = await bin("offthegrid-migrate", ["plan", "--dir", dir], env);
        assert.equal(plan.code, 0, plan.stdout + plan.stderr);
        assert.match(
          plan.stdout,
          /900_concurrent\.sql {2}lock_timeout 200 ms × \d+ tries, statement_timeout \d+ ms, no transaction; lock_timeout 0 for line 3 \(/,
        );
        const json = JSON.parse(
          (await bin("offthegrid-migrate", ["plan", "--json", "--dir", dir], env)).stdout,
        );
        assert.deepEqual(
          json.pending[0].withoutLockTimeoutLines,
          [3],
          "the ALTER on line 4 keeps its lock_timeout",
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("plan and up refuse an unsafe pending file with file:line and rule; plan shows timeouts and opt-out reasons", async () => {
      const env = { DATABASE_URL: db.url("owner") };
      const dir = unsafeDir();
      try {
        assert.equal((await bin("offthegrid-migrate", ["sum", "--dir", dir])).code, 0);
        const plan = await bin("offthegrid-migrate", ["plan", "--dir", dir], env);
        assert.equal(plan.code, 1, plan.stderr);
        assert.match(plan.stdout, /✗ 900_unsafe\.sql:3 create-index-non-concurrent: CREATE INDEX on users/);
        assert.match(
          plan.stdout,
          /900_unsafe\.sql {2}lock_timeout 200 ms × 41 tries, statement_timeout 600000 ms/,
        );
        assert.match(plan.stdout, /allows drop-column: the app stopped reading legacy_flag in release 41/);
        const up = await bin("offthegrid-migrate", ["up", "--dir", dir], env);
        assert.equal(up.code, 1);
        assert.match(up.stderr, /900_unsafe\.sql:3 create-index-non-concurrent/);
        const status = JSON.parse(
          (await bin("offthegrid-migrate", ["status", "--json", "--dir", dir], env)).stdout,
        );
        assert.equal(status.pending, 1, "nothing of the refused file ran");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("health --json and metrics --json print one JSON document; health exits by status", async () => {
      const env = { DATABASE_URL: db.url("readonly") };
      const health = await bin("offthegrid-db", ["health", "--json"], env);
      assert.equal(health.code, 0, health.stderr);
      assert.equal(JSON.parse(health.stdout).status, "healthy");
      const metrics = await bin("offthegrid-db", ["metrics", "--json"], env);
      assert.equal(metrics.code, 0, metrics.stderr);
      assert.equal(typeof JSON.parse(metrics.stdout).postgres.connections.max, "number");
    });
  });
});
