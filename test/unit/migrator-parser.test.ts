// The migration-file parser's refusals and the statement splitter's edge cases.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseMigration, parseMigrationBytes, readMigrationDirectory } from "../../migrator";
import { buildBatch, locateFailure, Unit } from "../../migrator/batch";
import { codePointsToIndex } from "../../migrator/lines";
import { PrefixHasher } from "../../migrator/no-transaction";
import { sha256 } from "../../migrator/migration-file";
import { splitSql } from "../../migrator/sql-statements";

const refuses = (sql: string, pattern: RegExp) =>
  assert.throws(() => parseMigration("001_x.sql", sql), pattern);

describe("migration files: exact directives", () => {
  it("refuses look-alike directive lines, naming file and line", () => {
    const body = "-- migrate:up\nCREATE TABLE keepme (id int);\n";
    for (const lookAlike of [
      "  -- migrate:down",
      "\t-- migrate:down",
      "-- Migrate:down",
      "-- MIGRATE:DOWN",
      "-- migrate: down",
      "-- migrate :down",
      "--migrate:down",
      "--- migrate:down",
      "-- migrate:down ",
      "-- migrate:down extra",
      "-- migrate:Down",
      "-- migrate down",
      "SELECT 1; -- migrate:down",
    ]) {
      refuses(
        `${body}${lookAlike}\nDROP TABLE keepme;\n`,
        /Invalid migration file 001_x\.sql \(line 3\): ".*" looks like a directive but is not one; write it exactly/,
      );
    }
  });

  it("requires exactly one -- migrate:up, at most one down after it, header directives before it", () => {
    refuses("CREATE TABLE t (id int);\n", /001_x\.sql \(line 1\): no "-- migrate:up" line/);
    refuses("-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n", /\(line 3\): a second "-- migrate:up"/);
    refuses(
      "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:down\n",
      /\(line 5\): a second/,
    );
    refuses(
      "-- migrate:down\nSELECT 2;\n-- migrate:up\nSELECT 1;\n",
      /\(line 1\): "-- migrate:down" comes before/,
    );
    refuses("-- migrate:up\nSELECT 1;\n-- migrate:no-transaction\n", /\(line 3\): .* belongs in the header/);
    refuses("SELECT 0;\n-- migrate:up\nSELECT 1;\n", /\(line 1\): SQL before -- migrate:up/);
    refuses(
      "-- migrate:no-transaction\n-- migrate:no-transaction\n-- migrate:up\nSELECT 1;",
      /\(line 2\): a second/,
    );
  });

  it("reads directives only as top-level comments, never inside strings, dollar quotes or block comments", () => {
    const m = parseMigration(
      "001_x.sql",
      [
        "-- migrate:up",
        "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$",
        "-- migrate:down",
        "SELECT 'x'",
        "$$;",
        "INSERT INTO notes VALUES ('",
        "-- migrate:down",
        "');",
        "/*",
        "-- migrate:down",
        "*/",
        "-- migrate:down",
        "DROP FUNCTION f();",
      ].join("\n"),
    );
    assert.deepEqual(
      m.upStatements.map((s) => s.line),
      [2, 6],
    );
    assert.deepEqual(
      m.downStatements.map((s) => s.text),
      ["DROP FUNCTION f()"],
    );
  });

  it("ends an unterminated statement at the next directive", () => {
    const m = parseMigration(
      "001_x.sql",
      "-- migrate:up\nCREATE TABLE t (id int)\n-- migrate:down\nDROP TABLE t",
    );
    assert.deepEqual(
      [m.upStatements.map((s) => s.text), m.downStatements.map((s) => s.text)],
      [["CREATE TABLE t (id int)"], ["DROP TABLE t"]],
    );
  });
});

describe("migration files: transaction control refused in both sections", () => {
  const control = [
    "BEGIN",
    "begin transaction",
    "START TRANSACTION",
    "COMMIT",
    "commit and chain",
    "END",
    "ROLLBACK",
    "ABORT",
    "SAVEPOINT s",
    "RELEASE SAVEPOINT s",
    "ROLLBACK TO SAVEPOINT s",
    "PREPARE TRANSACTION 'x'",
    "COMMIT PREPARED 'x'",
    "/* hidden */ ABORT",
  ];
  for (const section of ["up", "down"] as const) {
    it(`refuses each form in the ${section} section, with its line`, () => {
      for (const statement of control) {
        const sql =
          section === "up"
            ? `-- migrate:up\nCREATE TABLE a (id int);\n${statement};\nCREATE TABLE b (id int);\n`
            : `-- migrate:up\nCREATE TABLE d1 (id int);\n-- migrate:down\nDROP TABLE d1;\n${statement};\nDROP TABLE typo;\n`;
        refuses(
          sql,
          new RegExp(`\\(line ${section === "up" ? 3 : 5}\\): ".*" in the ${section} section controls`),
        );
        refuses(`-- migrate:no-transaction\n${sql}`, /controls the transaction/);
      }
    });
  }

  it("accepts what only looks like transaction control", () => {
    const m = parseMigration(
      "001_x.sql",
      [
        "-- migrate:up",
        "DO $$ BEGIN PERFORM 1; END $$;",
        "CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $f$ BEGIN RETURN 1; COMMIT; END $f$;",
        "CREATE FUNCTION h(a int) RETURNS int LANGUAGE sql",
        "BEGIN ATOMIC",
        "  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;",
        "  SELECT a;",
        "END;",
        "CREATE TABLE ending (begin_at int, end_at int);",
        "PREPARE q AS SELECT 1;",
        "CREATE RULE r AS ON INSERT TO ending DO ALSO (NOTIFY a; NOTIFY b);",
      ].join("\n"),
    );
    assert.deepEqual(
      m.upStatements.map((s) => s.line),
      [2, 3, 4, 9, 10, 11],
    );
  });
});

describe("migration files: bytes, not guesses (non-UTF-8)", () => {
  it("refuses invalid UTF-8 with the file, line and byte offset", () => {
    const bytes = Buffer.concat([
      Buffer.from("-- migrate:up\nINSERT INTO t VALUES ('caf"),
      Buffer.from([0xe9]), // Latin-1 é
      Buffer.from("');\n"),
    ]);
    assert.throws(
      () => parseMigrationBytes("001_x.sql", bytes),
      /Invalid migration file 001_x\.sql \(line 2\): byte offset 40 is not valid UTF-8 \(0xe9\)/,
    );
    for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff]]) {
      assert.throws(
        () =>
          parseMigrationBytes("001_x.sql", Buffer.from([...Buffer.from("-- migrate:up\nSELECT '"), ...bad])),
        /line 2\): byte offset 22 is not valid UTF-8/,
      );
    }
  });

  it("reads files from disk as bytes: a non-UTF-8 file is refused, a valid one keeps its checksum", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mig-utf8-"));
    try {
      const good = "-- migrate:up\nINSERT INTO t VALUES ('café ☕ 𝄞');\n";
      fs.writeFileSync(path.join(dir, "001_good.sql"), good);
      const [source] = readMigrationDirectory(dir);
      assert.equal(parseMigration(source.name, source.sql).checksum, sha256(good.trimEnd()));
      fs.writeFileSync(
        path.join(dir, "002_latin1.sql"),
        Buffer.from("-- migrate:up\nSELECT 'caf\xe9';\n", "latin1"),
      );
      assert.throws(
        () => readMigrationDirectory(dir),
        /002_latin1\.sql \(line 2\): byte offset 25 is not valid UTF-8/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("statement location without re-running", () => {
  const unit = (name: string, sql: string): Unit => {
    const m = parseMigration(name, sql);
    return {
      migration: m,
      direction: "up",
      statements: m.upStatements,
      historySql: "SELECT 1",
      lockTimeoutMs: 1,
      statementTimeoutMs: 1,
    };
  };
  const units = [
    unit("001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n"),
    unit("002_b.sql", "-- header\n-- migrate:up\nSELECT '𝄞𝄞';\nINSERT INTO b\n  SELECT nope\n  FROM a;\n"),
  ];
  const batch = buildBatch(units);

  it("maps the server's error position (in characters) to the file's line", () => {
    const at = batch.text.indexOf("nope");
    const chars = [...batch.text.slice(0, at)].length; // the server counts code points
    const failure = locateFailure(batch, 0, chars + 1);
    assert.equal(failure.unit, 1);
    assert.equal(failure.statement?.text, "INSERT INTO b\n  SELECT nope\n  FROM a");
    assert.equal(failure.line, 5);
  });

  it("without a position, counts CommandCompletes: files before committed, statement by index", () => {
    // 001: BEGIN, settings, CREATE, guard, history, COMMIT = 6; 002: BEGIN, settings, SELECT → INSERT failed.
    const failure = locateFailure(batch, 6 + 3, undefined);
    assert.deepEqual([failure.unit, failure.line, failure.guard], [1, 4, false]);
    assert.equal(locateFailure(batch, 3, undefined).guard, true, "001's guard");
    assert.equal(codePointsToIndex("𝄞a", 1), 2);
  });
});

describe("no-transaction progress checksums", () => {
  it("are the same values as before (sha256 of the first N statements joined by \\n;\\n), computed linearly", () => {
    const statements = splitSql("SELECT 1;\nSELECT 2;\nSELECT 3;");
    const hasher = new PrefixHasher(statements);
    for (let n = 0; n <= 3; n++) {
      assert.equal(
        hasher.at(n),
        sha256(
          statements
            .slice(0, n)
            .map((s) => s.text)
            .join("\n;\n"),
        ),
      );
    }
  });
});
