import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  loadMigrations,
  parseMigration,
  readMigrationDirectory,
  renderSumFile,
  verifySumFile,
} from "../../migrator";
import { splitSql } from "../../migrator/sql-statements";
import { HistoryRow, planDown, planUp } from "../../migrator/plan";
import { prefixChecksum } from "../../migrator/runner";
import { ROOT } from "../../testbed/stack";

const row = (
  name: string,
  checksum: string,
  status: "applied" | "partial" = "applied",
  statementsDone: number | null = null,
  prefix: string | null = null,
): HistoryRow => ({
  version: Number(name.slice(0, 3)),
  name,
  checksum,
  status,
  statementsDone,
  prefixChecksum: prefix,
  appliedAt: new Date("2026-01-01T00:00:00Z"),
  durationMs: 1,
  appliedBy: "owner",
});

describe("migration files and planning (pure)", () => {
  it("sql/migrations.sum matches sql/*.sql (regenerate with `npm run migrate -- sum`)", () => {
    const dir = path.join(ROOT, "sql");
    const problems = verifySumFile(
      fs.readFileSync(path.join(dir, "migrations.sum"), "utf8"),
      loadMigrations(readMigrationDirectory(dir)),
    );
    assert.deepEqual(problems, []);
  });

  it("sum file: a changed, added or removed migration is reported by name", () => {
    const a = parseMigration("001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);");
    const b = parseMigration("002_b.sql", "-- migrate:up\nCREATE TABLE b (id int);");
    const sum = renderSumFile([a, b]);
    assert.deepEqual(verifySumFile(sum, [a, b]), []);
    assert.match(
      verifySumFile(sum, [a, parseMigration("002_b.sql", "-- migrate:up\nCREATE TABLE b (id bigint);")])[0],
      /002_b\.sql has checksum [0-9a-f]+ but sql\/migrations\.sum records/,
    );
    assert.match(
      verifySumFile(sum, [a, b, parseMigration("003_c.sql", "-- migrate:up\nSELECT 1;")])[0],
      /003_c\.sql is not in sql\/migrations\.sum/,
    );
    assert.match(verifySumFile(sum, [a])[0], /lists 002_b\.sql, which does not exist/);
    assert.match(verifySumFile(undefined, [a])[0], /missing/);
  });

  it("sum file: two branches adding different 003 migrations edit the same lines (a git conflict, not a deploy failure)", () => {
    const base = [parseMigration("001_a.sql", "-- migrate:up\nSELECT 1;")];
    const ours = renderSumFile([...base, parseMigration("003_x.sql", "-- migrate:up\nSELECT 3;")]).split(
      "\n",
    );
    const theirs = renderSumFile([...base, parseMigration("003_y.sql", "-- migrate:up\nSELECT 33;")]).split(
      "\n",
    );
    const original = renderSumFile(base).split("\n");
    assert.notEqual(ours[1], original[1]);
    assert.notEqual(theirs[1], original[1]);
    assert.notEqual(ours[1], theirs[1], "both rewrite the total line differently");
  });

  it("checksums ignore CRLF and a BOM but not content", () => {
    const sql = "-- migrate:up\nCREATE TABLE t (id int);\n";
    assert.equal(
      parseMigration("001_t.sql", "\uFEFF" + sql.replace(/\n/g, "\r\n")).checksum,
      parseMigration("001_t.sql", sql).checksum,
    );
    assert.notEqual(
      parseMigration("001_t.sql", sql.replace("int", "bigint")).checksum,
      parseMigration("001_t.sql", sql).checksum,
    );
    assert.equal(
      parseMigration("001_t.sql", sql + "-- migrate:down\nDROP TABLE t;").checksum,
      parseMigration("001_t.sql", sql).checksum,
      "down sections may be edited later",
    );
  });

  it("parses directives and refuses unknown ones or bad durations with file and line", () => {
    const m = parseMigration(
      "004_idx.sql",
      "-- migrate:no-transaction\n-- migrate:lock-timeout 250ms\n-- migrate:statement-timeout 2min\n-- migrate:up\nCREATE INDEX CONCURRENTLY i ON t (x);\n",
    );
    assert.deepEqual(
      [m.transaction, m.lockTimeoutMs, m.statementTimeoutMs, m.version, m.upLine],
      [false, 250, 120_000, 4, 5],
    );
    assert.throws(
      () => parseMigration("001_a.sql", "-- migrate:nontransactional\n-- migrate:up\nSELECT 1;"),
      /001_a\.sql \(line 1\): "-- migrate:nontransactional" looks like a directive but is not one/,
    );
    assert.throws(
      () => parseMigration("001_a.sql", "-- migrate:lock-timeout soon\n-- migrate:up\nSELECT 1;"),
      /line 1.*needs a duration such as 500ms/,
    );
    assert.throws(
      () => parseMigration("1_a.sql", "SELECT 1;"),
      /1_a\.sql: the name must look like 001_create_users\.sql/,
    );
    assert.throws(
      () => parseMigration("001_a.sql", "-- migrate:up\n-- only a comment\n"),
      /the up section has no SQL statement/,
    );
    assert.throws(
      () => parseMigration("001_a.sql", "-- migrate:up\nBEGIN;\nSELECT 1;\nCOMMIT;"),
      /line 2\): "BEGIN" in the up section controls the transaction/,
    );
    assert.throws(
      () =>
        loadMigrations([
          { name: "001_a.sql", sql: "-- migrate:up\nSELECT 1;" },
          { name: "001_b.sql", sql: "-- migrate:up\nSELECT 2;" },
        ]),
      /version 1 is also used by 001_a\.sql/,
    );
  });

  it("splits statements around strings, quoted identifiers, dollar quotes and comments, with line numbers", () => {
    const sql = [
      "SELECT 'a;b', E'it\\'s;', \"odd;name\" FROM t; -- trailing; comment",
      "/* block; /* nested; */ still comment; */",
      "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$",
      "BEGIN RETURN 1; END",
      "$body$;",
      "",
      "SELECT $$x;y$$",
    ].join("\n");
    const statements = splitSql(sql);
    assert.deepEqual(
      statements.map((s) => s.line),
      [1, 3, 7],
    );
    assert.match(statements[1].text, /^CREATE FUNCTION f\(\).*\$body\$$/s);
    assert.throws(() => splitSql("SELECT 'open"), /unterminated quoted string at or near "'open" \(line 1\)/);
    assert.throws(
      () => splitSql("SELECT 1;\nSELECT $x$ never closed"),
      /unterminated dollar-quoted string at or near "\$x\$ never closed" \(line 2\)/,
    );
  });

  it("plans pending files and refuses changed, missing and out-of-order ones", () => {
    const a = parseMigration("001_a.sql", "-- migrate:up\nSELECT 1;");
    const b = parseMigration("002_b.sql", "-- migrate:up\nSELECT 2;");
    const c = parseMigration("003_c.sql", "-- migrate:up\nSELECT 3;");
    assert.deepEqual(
      planUp([a, b, c], [row("001_a.sql", a.checksum)], prefixChecksum).pending.map((m) => m.name),
      ["002_b.sql", "003_c.sql"],
    );
    assert.throws(
      () => planUp([a], [row("001_a.sql", "f".repeat(64))], prefixChecksum),
      /changed after it was applied: 001_a\.sql/,
    );
    assert.throws(
      () => planUp([a], [row("001_a.sql", a.checksum), row("002_b.sql", b.checksum)], prefixChecksum),
      /missing from disk: 002_b\.sql/,
    );
    assert.throws(
      () => planUp([a, b, c], [row("001_a.sql", a.checksum), row("003_c.sql", c.checksum)], prefixChecksum),
      /out of order: 002_b\.sql is new but numbered below 003_c\.sql/,
    );
    assert.throws(
      () => planDown([a], [row("001_a.sql", a.checksum)], 1),
      /001_a\.sql has no "-- migrate:down" section/,
    );
  });

  it("resumes a partial no-transaction file only if its finished statements are unchanged", () => {
    const sql =
      "-- migrate:no-transaction\n-- migrate:up\nCREATE INDEX CONCURRENTLY a ON t (a);\nCREATE INDEX CONCURRENTLY b ON t (b);\n";
    const m = parseMigration("001_i.sql", sql);
    const plan = planUp(
      [m],
      [row("001_i.sql", m.checksum, "partial", 1, prefixChecksum(m, 1))],
      prefixChecksum,
    );
    assert.equal(plan.resume?.statementsDone, 1);
    const edited = parseMigration("001_i.sql", sql.replace("ON t (a)", "ON t (aa)"));
    assert.throws(
      () =>
        planUp([edited], [row("001_i.sql", m.checksum, "partial", 1, prefixChecksum(m, 1))], prefixChecksum),
      /Interrupted migration changed/,
    );
  });
});
