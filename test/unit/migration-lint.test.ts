// The migration lint on PostgreSQL's real parser: each rule fires on its unsafe form, not on its safe
// rewrite; tables created in the same file are exempt; opt-outs need a known rule and a reason; the shipped
// sql/ passes; the rule table in docs/migration-files.md is generated from the rule list.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { MigrationFileError, parseMigration } from "../../migrator";
import { LINT_RULES, MigrationLintError, assertLintClean, lintMigrations } from "../../migrator/lint";
import { withGeneratedLintRules } from "../../migrator/lint/rules-doc";
import { loadMigrations, readMigrationDirectory } from "../../migrator/sources";
import { ROOT } from "../../testbed/root";
import { CASES } from "../support/lint-cases";

const file = (up: string, header = "", name = "006_change.sql") =>
  parseMigration(name, `${header}-- migrate:up\n${up}\n`);
const rules = async (up: string, header = "") =>
  (await lintMigrations([file(up, header)])).map(
    (f) => `${f.line} ${f.rule}${f.allowed ? " (allowed)" : ""}`,
  );

describe("migration lint (PostgreSQL 17 parser)", () => {
  it("every rule has a case, and each case fires on the unsafe form only", async () => {
    assert.deepEqual([...new Set(CASES.map((c) => c[0]))].sort(), LINT_RULES.map((r) => r.name).sort());
    for (const [rule, unsafe, safe, header] of CASES) {
      assert.ok((await rules(unsafe)).includes(`2 ${rule}`), `${rule} fires on: ${unsafe}`);
      assert.deepEqual(await rules(safe, header), [], `${rule} is quiet on: ${safe}`);
    }
  });

  it("names the line of each statement, with the lock and the rewrite in the message", async () => {
    const m = file("SELECT 1;\n\nCREATE INDEX i\n  ON users (email);\nALTER TABLE users DROP COLUMN x;");
    const err = await assertLintClean([m]).catch((e) => e);
    assert.ok(err instanceof MigrationLintError);
    assert.match(
      err.message,
      /006_change\.sql:4 create-index-non-concurrent: CREATE INDEX on users: .*SHARE lock/,
    );
    assert.match(err.message, /Safe: CREATE INDEX CONCURRENTLY/);
    assert.match(err.message, /006_change\.sql:6 drop-column: DROP COLUMN x on users/);
  });

  it("lines count characters, not the parser's UTF-8 bytes", async () => {
    assert.deepEqual(await rules("SELECT 'é€😀';\nSELECT 'ü';\nCREATE INDEX i ON users (email);"), [
      "4 create-index-non-concurrent",
    ]);
  });

  it("exempts tables created earlier in the same file, not tables created after", async () => {
    const created =
      "CREATE TABLE t (id int, u int);\nCREATE INDEX t_u ON t (u);\nALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (u) REFERENCES users (id);\nALTER TABLE t ADD COLUMN c int NOT NULL;";
    assert.deepEqual(await rules(created), []);
    assert.deepEqual(await rules("CREATE INDEX t_u ON t (u);\nCREATE TABLE t (id int, u int);"), [
      "2 create-index-non-concurrent",
    ]);
  });

  it("an opt-out with a reason allows its rule only; the reason travels with the finding", async () => {
    const header = "-- migrate:allow drop-column the app stopped reading it in release 41\n";
    const found = await lintMigrations([file("ALTER TABLE users DROP COLUMN a;\nDROP TABLE b;", header)]);
    assert.deepEqual(
      found.map((f) => [f.rule, f.allowed]),
      [
        ["drop-column", "the app stopped reading it in release 41"],
        ["drop-table", undefined],
      ],
    );
  });

  it("refuses an opt-out without a reason, for an unknown rule, twice, or after -- migrate:up", () => {
    const refused = (text: string, pattern: RegExp) =>
      assert.throws(
        () => parseMigration("006_x.sql", text),
        (e: Error) => e instanceof MigrationFileError && pattern.test(e.message),
      );
    refused(
      "-- migrate:allow drop-column\n-- migrate:up\nSELECT 1;",
      /line 1.*looks like a directive.*allow <lint rule> <reason>/,
    );
    refused("-- migrate:allow drop-column ok\n-- migrate:up\nSELECT 1;", /line 1.*needs a reason/);
    refused(
      "-- migrate:allow drop-colum the app no longer reads it\n-- migrate:up\nSELECT 1;",
      /no lint rule is named drop-colum; the rules are create-index-non-concurrent, /,
    );
    refused(
      "-- migrate:allow drop-column first reason here\n-- migrate:allow drop-column second reason here\n-- migrate:up\nSELECT 1;",
      /line 2.*a second/,
    );
    refused(
      "-- migrate:up\n-- migrate:allow drop-column the app no longer reads it\nSELECT 1;",
      /belongs in the header/,
    );
  });

  it("judges only files above the baseline; the shipped sql/ passes", async () => {
    const old = file("CREATE INDEX i ON users (email);", "", "004_old.sql");
    assert.deepEqual(await lintMigrations([old]), []);
    assert.equal((await lintMigrations([old], { baseline: 3 })).length, 1);
    const shipped = loadMigrations(readMigrationDirectory(path.join(ROOT, "sql")));
    assert.deepEqual(
      (await lintMigrations(shipped)).filter((f) => !f.allowed),
      [],
    );
  });

  it("refuses a syntax error with the file and line, before anything runs", () => {
    // Reading the file already refuses it: its statements are the parser's.
    assert.throws(
      () => file("SELECT 1;\nCREATE INDEX ON;"),
      /006_change\.sql \(line 3\): PostgreSQL's parser refuses it: syntax error at or near ";"/,
    );
  });

  it("loading the runner and the CLI does not load the WASM parser (a no-op `up` does not pay for it)", () => {
    // `status` without DATABASE_URL loads the runner, then stops at the missing URL.
    const script =
      "const quiet = { out() {}, err() {}, progress() {} }; delete process.env.DATABASE_URL; " +
      'require("./build/cli/migrate").main(["status"], quiet).then(() => process.stdout.write(' +
      'String(Object.keys(require.cache).filter((k) => k.includes("libpg-query")).length)))';
    // The bundled bin (npm test builds it first), as it runs.
    const out = execFileSync(process.execPath, ["-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(out, "0");
  });

  it("docs/migration-files.md carries the generated rule table (npm run docs:generate)", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs/migration-files.md"), "utf8");
    assert.equal(doc, withGeneratedLintRules(doc), "run npm run docs:generate");
    for (const r of LINT_RULES) assert.ok(doc.includes(`| \`${r.name}\` |`), r.name);
  });
});

describe("the under-traffic bench's migration sets (testbed/bench/migration-sets.ts)", () => {
  it("the safe set passes the lint; the unsafe set is refused, one rule per file, unless forced with opt-outs", async () => {
    const { SAFE_SET, UNSAFE_STATEMENTS, unsafeSet } = await import("../../testbed/bench/migration-sets");
    const parse = (files: readonly { name: string; sql: string }[]) =>
      files.map((f) => parseMigration(f.name, f.sql));
    assert.deepEqual(await lintMigrations(parse(SAFE_SET)), []);
    const refused = await lintMigrations(parse(unsafeSet(false)));
    assert.deepEqual(
      refused.map((f) => `${f.file} ${f.rule} ${f.allowed === undefined ? "refused" : "allowed"}`),
      UNSAFE_STATEMENTS.map((u) => `${u.name} ${u.rule} refused`),
    );
    const forced = await lintMigrations(parse(unsafeSet(true)));
    assert.ok(forced.length === 3 && forced.every((f) => f.allowed !== undefined));
  });
});
