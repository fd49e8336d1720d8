// The schema's part, under the real CLI: whatever `up` would refuse about sql/,
// `preview` refuses, naming the file within its first lines of error output, as one short paragraph (no stack
// frames, ANSI codes or gRPC chatter), and leaves state and data as they were. One stack `up`; each case
// changes sql/, previews, asserts and restores. docs/migrations.md, "What preview refuses", lists the same
// paths.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { pgClient } from "../../testbed/pg-client";
import { loadMigrations, parseMigration, readMigrationDirectory, renderSumFile } from "../../migrator";
import { EngineSession } from "../../testbed/engine/session";

const STACK = "dev";
const APPLIED = "005_curriculum_read_only.sql";

/** What a person should never have to read in a refusal. */
const NOISE: [string, RegExp][] = [
  ["ANSI escape", /\x1b\[/],
  ["stack frame", /^\s*at .*\(/m],
  ["gRPC chatter", /grpc|rpc error|UNAVAILABLE/i],
  ["unhandled exception", /unhandled exception/i],
  // A rejected promise the host handled late printed a PromiseRejectionHandledWarning before the refusal.
  ["Node warning", /\(node:\d+\) \w*Warning/],
  // Statement text from a file (the lint's own prose names statement kinds, "CREATE INDEX on users").
  ["SQL", /-- migrate:up|CREATE TABLE \w+ \(|ON users \(/],
];

interface Case {
  readonly title: string;
  /** Changes the project copy's sql/ (restored afterwards). */
  readonly change: (sql: string) => void;
  /** The file the refusal must name within the first 10 lines of error output. */
  readonly names: string;
  readonly message: RegExp;
}

function resum(sql: string): void {
  fs.writeFileSync(
    path.join(sql, "migrations.sum"),
    renderSumFile(loadMigrations(readMigrationDirectory(sql))),
  );
}

function write(sql: string, name: string, body: string, sum = true): void {
  fs.writeFileSync(path.join(sql, name), `-- migrate:up\n${body}\n`);
  if (sum) resum(sql);
}

/** An applied file changed after it ran: one statement more. */
function editApplied(sql: string): void {
  const file = path.join(sql, APPLIED);
  fs.writeFileSync(
    file,
    fs.readFileSync(file, "utf8").replace("-- migrate:up\n", "-- migrate:up\nSELECT 1;\n"),
  );
}

const CASES: Case[] = [
  {
    title: "an applied migration edited (and the sum file regenerated)",
    change: (sql) => {
      editApplied(sql);
      resum(sql);
    },
    names: APPLIED,
    message:
      /Migration changed after it was applied: 005_curriculum_read_only\.sql was applied with checksum sha256:[0-9a-f]{64} but the file now has sha256:[0-9a-f]{64}\. Restore the applied version/,
  },
  {
    title: "an applied migration deleted",
    change: (sql) => {
      fs.rmSync(path.join(sql, APPLIED));
      resum(sql);
    },
    names: APPLIED,
    message: /Applied migration missing from disk: 005_curriculum_read_only\.sql is recorded as applied/,
  },
  {
    title: "an applied migration renamed",
    change: (sql) => {
      fs.renameSync(path.join(sql, APPLIED), path.join(sql, "006_curriculum_read_only.sql"));
      resum(sql);
    },
    names: APPLIED,
    message:
      /Applied migration missing from disk: 005_curriculum_read_only\.sql .*a rename counts as a deletion/,
  },
  {
    title: "a new migration numbered below the latest applied one",
    change: (sql) => write(sql, "000_e2e_early.sql", "CREATE TABLE e2e_early (id int);"),
    names: "000_e2e_early.sql",
    message:
      /Migration out of order: 000_e2e_early\.sql is new but numbered below 005_curriculum_read_only\.sql/,
  },
  {
    title: "a new migration the lint refuses",
    change: (sql) => write(sql, "900_e2e_index.sql", "CREATE INDEX e2e_users ON users (created_at);"),
    names: "900_e2e_index.sql",
    message:
      /Migration lint refused 1 statement\(s\) in 900_e2e_index\.sql [^\n]*\n\s*900_e2e_index\.sql:2 create-index-non-concurrent/,
  },
  {
    title: "a new migration with a syntax error",
    // No sum file can be made for it: `npm run migrate -- sum` refuses the file the same way.
    change: (sql) => write(sql, "901_e2e_typo.sql", "CREATE TABLE e2e_typo (id int;", false),
    names: "901_e2e_typo.sql",
    message: /901_e2e_typo\.sql \(line 2\): PostgreSQL's parser refuses it: syntax error/,
  },
  {
    title: "a new migration missing from the sum file",
    change: (sql) => write(sql, "902_e2e_unsummed.sql", "CREATE TABLE e2e_unsummed (id int);", false),
    names: "902_e2e_unsummed.sql",
    message: /902_e2e_unsummed\.sql is not in sql\/migrations\.sum\. Run `npm run migrate -- sum`/,
  },
  {
    title: "an applied migration edited, the sum file not regenerated",
    change: (sql) => {
      editApplied(sql);
    },
    names: APPLIED,
    message:
      /005_curriculum_read_only\.sql has checksum [0-9a-f]{64} but sql\/migrations\.sum records [0-9a-f]{64}/,
  },
  {
    title: "the sum file deleted",
    change: (sql) => fs.rmSync(path.join(sql, "migrations.sum")),
    names: "migrations.sum",
    message: /sql\/migrations\.sum is missing; create it with `npm run migrate -- sum`/,
  },
  {
    title: "a file name that is not a migration name",
    change: (sql) => write(sql, "7_e2e_badname.sql", "SELECT 1;", false),
    names: "7_e2e_badname.sql",
    message: /7_e2e_badname\.sql.*the name must look like 001_create_users\.sql/,
  },
  {
    title: "two migrations with the same version",
    change: (sql) => write(sql, "005_e2e_twin.sql", "SELECT 1;", false),
    names: "005_e2e_twin.sql",
    message: /version 5 is also used by/,
  },
];

describe("`pulumi preview` refuses what `up` would refuse about sql/ (dev stack, real CLI)", function () {
  this.timeout(600_000);
  let s: EngineSession;
  let sql: string;
  let original: Map<string, Buffer>;
  let ownerUrl: string;

  const restore = () => {
    for (const name of fs.readdirSync(sql)) fs.rmSync(path.join(sql, name));
    for (const [name, bytes] of original) fs.writeFileSync(path.join(sql, name), bytes);
  };

  /** What must not move: the state as exported, and the rows the schema's tables hold. */
  async function snapshot() {
    const state = (await s.pulumi(["stack", "export"])).stdout;
    const client = pgClient({ connectionString: ownerUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT (SELECT count(*) FROM migrations.history)::int AS history,
                (SELECT count(*) FROM users)::int AS users,
                (SELECT count(*) FROM education_modules)::int AS modules,
                (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')::int AS tables`,
      );
      return { state, rows: rows[0] };
    } finally {
      await client.end();
    }
  }

  before(async () => {
    s = EngineSession.create("e2e-preview");
    sql = path.join(s.project, "sql");
    original = new Map(fs.readdirSync(sql).map((name) => [name, fs.readFileSync(path.join(sql, name))]));
    await s.pulumi(["login", `file://${s.backend}`]);
    await s.pulumi(["stack", "init", STACK]);
    await s.freeStorePorts();
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    ownerUrl = (await s.outputs(STACK)).postgresUrls.owner;
  });

  afterEach(() => restore());

  after(async () => {
    if (s && !process.env.OFFTHEGRID_KEEP_E2E) await s.dispose();
  });

  it("each path: preview exits non-zero naming the file in its first 10 lines of error output, readably; state and rows unchanged", async () => {
    const before = await snapshot();
    // Every case runs and every problem is reported at the end, so a regression shows all the paths it
    // breaks.
    const problems: string[] = [];
    for (const c of CASES) {
      c.change(sql);
      const preview = await s.pulumi(["preview", "--color", "never"], { allowFailure: true });
      restore();
      const text = preview.stdout + preview.stderr;
      const lines = text.split("\n");
      const first = lines.findIndex((line) => /error/i.test(line));
      const found: string[] = [];
      if (preview.code === 0) found.push("preview exited 0");
      if (first < 0 || !lines.slice(first, first + 10).some((line) => line.includes(c.names)))
        found.push(`${c.names} is not within the first 10 lines of error output`);
      if (!c.message.test(text)) found.push(`no match for ${c.message}`);
      for (const [what, pattern] of NOISE) if (pattern.test(text)) found.push(`shows ${what}`);
      if (lines.length > 25) found.push(`${lines.length} lines`);
      const after = await snapshot();
      try {
        assert.deepEqual(after.rows, before.rows);
      } catch {
        found.push(`rows changed: ${JSON.stringify(after.rows)}`);
      }
      if (after.state !== before.state) found.push("`pulumi stack export` changed");
      if (found.length) problems.push(`${c.title}: ${found.join("; ")}\n${text}`);
    }
    assert.equal(problems.length, 0, `${problems.length} of ${CASES.length} paths:\n${problems.join("\n")}`);
  });

  it("`preview --diff` after adding one migration shows that file's name and checksum, no SQL, on one screen", async () => {
    const name = "006_e2e_note.sql";
    write(sql, name, "CREATE TABLE e2e_note (id int);");
    const checksum = parseMigration(name, fs.readFileSync(path.join(sql, name), "utf8")).checksum;
    const preview = await s.pulumi(["preview", "--diff", "--color", "never"]);
    const text = preview.stdout;
    const lines = text.trimEnd().split("\n");
    assert.ok(lines.length <= 64, `${lines.length} lines:\n${text}`);
    const added = lines.filter((line) => /^\s*\+ /.test(line) && line.includes(name));
    assert.equal(added.length, 2, `the input and the stack output each add one line\n${text}`);
    for (const line of added) assert.ok(line.includes(checksum), line);
    assert.doesNotMatch(text, /CREATE TABLE|-- migrate:|^\s*[-+~]?\s*sql\s*:/m, "no migration's SQL");
    const outputs = (await s.pulumi(["stack", "output", "--json"])).stdout;
    assert.doesNotMatch(outputs, /CREATE TABLE|-- migrate:/, "no SQL in the stack outputs");
    // The schema resource's recorded inputs and outputs (its __provider is the engine's code, with SQL of its
    // own).
    const resources: { type: string; inputs: object; outputs: object }[] = JSON.parse(
      (await s.pulumi(["stack", "export"])).stdout,
    ).deployment.resources;
    const schema = resources.find((r) => r.type.endsWith("SchemaMigrations"))!;
    const recorded = JSON.stringify([schema.inputs, schema.outputs], (key, v) =>
      key === "__provider" ? undefined : v,
    );
    assert.doesNotMatch(recorded, /CREATE TABLE|-- migrate:/, "no SQL in the state");
  });
});
