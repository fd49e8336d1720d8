// The lint's findings cached on disk (migrator/lint/cache.ts): the same findings with or without it, cold
// and warm, for every rule's unsafe and safe form, the shipped sql/ and the bench sets; a warm process never
// loads the parser; changed text, transaction mode or checks code never reuse an old answer; a damaged entry
// is ignored; the key covers every declaration of checks.ts.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { Migration, parseMigration } from "../../migrator";
import { lintMigrations } from "../../migrator/lint";
import { checksFingerprint, findingsKey } from "../../migrator/lint/cache";
import { CHECKS_CODE } from "../../migrator/lint/checks";
import { parserCacheDir } from "../../migrator/sql-ranges-cache";
import { SAFE_SET, unsafeSet } from "../../testbed/bench/migration-sets";
import { ROOT } from "../../testbed/root";
import { CASES } from "../support/lint-cases";

interface Linted {
  readonly started: boolean;
  readonly findings: { file: string; line: number; rule: string; subject: string; allowed?: string }[];
}

/** Parses and lints `files` (baseline 0: every file judged) in a fresh process: cold parser, real caches. */
function lintFresh(files: readonly { name: string; sql: string }[], env: NodeJS.ProcessEnv = {}): Linted {
  const script =
    'const { loadMigrations } = require("./migrator/sources");' +
    'const { lintMigrations } = require("./migrator/lint");' +
    'const { sqlParserStarted, withParserIfNeeded } = require("./migrator/sql-parser");' +
    "(async () => { const sources = JSON.parse(process.env.FILES);" +
    "const files = await withParserIfNeeded(sources.map((s) => s.sql), () => loadMigrations(sources));" +
    "const findings = await lintMigrations(files, { baseline: 0 });" +
    "process.stdout.write(JSON.stringify({ started: sqlParserStarted(), findings })); })();";
  return JSON.parse(
    execFileSync(process.execPath, ["-r", "./tools/ts-register.cjs", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, FILES: JSON.stringify(files), ...env },
    }),
  );
}

/** Every case's unsafe and safe form, files whose context matters, sql/ and the bench sets, all made new. */
function corpus(): { name: string; sql: string }[] {
  const salt = randomBytes(4).readUInt32BE();
  const cases = CASES.flatMap(([, unsafe, safe, header = ""]) => [
    `-- migrate:up\n${unsafe}\n`,
    `${header}-- migrate:up\n${safe}\n`,
    `-- migrate:allow drop-column the app stopped reading it\n-- migrate:up\n${unsafe}\n`,
  ]);
  const context = [
    "-- migrate:up\nCREATE TABLE fresh (id int);\nCREATE INDEX fresh_id ON fresh (id);\nDROP INDEX fresh_id;\n",
    "-- migrate:up\nCREATE INDEX old_id ON old (id);\nCREATE TABLE old (id int);\n",
    "-- migrate:up\nCREATE INDEX CONCURRENTLY c ON users (email);\n",
  ];
  const sqlDir = path.join(ROOT, "sql");
  const shipped = fs
    .readdirSync(sqlDir)
    .filter((f) => f.endsWith(".sql"))
    .map((f) => fs.readFileSync(path.join(sqlDir, f), "utf8"));
  const bench = [...SAFE_SET, ...unsafeSet(false), ...unsafeSet(true)].map((f) => f.sql);
  // A trailing statement of its own makes each file new to the cache without changing its findings.
  return [...cases, ...context, ...shipped, ...bench].map((sql, i) => ({
    name: `${String(i + 1).padStart(3, "0")}_case.sql`,
    sql: `${sql}SELECT ${salt};\n`,
  }));
}

const file = (up: string, header = "") => parseMigration("006_change.sql", `${header}-- migrate:up\n${up}\n`);
const rulesOf = async (up: string, header = "") =>
  (await lintMigrations([file(up, header)])).map((f) => `${f.line} ${f.rule}`);

describe("the lint's findings cached on disk", function () {
  this.timeout(120_000);

  it("gives the findings the checks give, cold and warm; a warm run never loads the parser", () => {
    const files = corpus();
    const uncached = lintFresh(files, { OFFTHEGRID_SQL_CACHE: "off" });
    const cold = lintFresh(files);
    const warm = lintFresh(files);
    assert.ok(uncached.findings.length > CASES.length, "the corpus has findings to compare");
    assert.ok(
      uncached.findings.some((f) => f.allowed !== undefined),
      "and opted-out ones",
    );
    assert.deepEqual(cold.findings, uncached.findings);
    assert.deepEqual(warm.findings, uncached.findings);
    assert.equal(cold.started, true);
    assert.equal(warm.started, false, "every file known: the parser was never loaded");
  });

  it("a set that gains, loses or changes a file is judged afresh", async () => {
    const salt = randomBytes(4).readUInt32BE();
    const a = parseMigration("006_a.sql", `-- migrate:up\nSELECT ${salt};\n`);
    const b = parseMigration("007_b.sql", `-- migrate:up\nDROP TABLE legacy_${salt};\n`);
    const c = parseMigration("007_b.sql", `-- migrate:up\nSELECT ${salt} + 1;\n`);
    const rules = async (set: Migration[]) => (await lintMigrations(set)).map((f) => `${f.file} ${f.rule}`);
    assert.deepEqual(await rules([a]), []);
    assert.deepEqual(await rules([a, b]), ["007_b.sql drop-table"]);
    assert.deepEqual(await rules([a, c]), []);
    assert.deepEqual(await rules([b]), ["007_b.sql drop-table"]);
    assert.deepEqual(await rules([a, b]), ["007_b.sql drop-table"]);
  });

  it("a changed text or transaction mode is judged afresh, never answered from the old entry", async () => {
    const table = `t_${randomBytes(4).toString("hex")}`;
    assert.deepEqual(await rulesOf(`CREATE TABLE ${table} (c text);`), []);
    assert.deepEqual(await rulesOf(`CREATE TABLE ${table} (c char(3));`), ["2 ban-char-field"]);
    const index = `CREATE INDEX CONCURRENTLY ${table}_c ON users (c);`;
    assert.deepEqual(await rulesOf(index, "-- migrate:no-transaction\n"), []);
    assert.deepEqual(await rulesOf(index), ["2 concurrently-in-transaction"]);
  });

  it("opt-outs, file names and lines are applied to a cached answer, not taken from it", async () => {
    const up = `SELECT ${randomBytes(4).readUInt32BE()};\nALTER TABLE users DROP COLUMN legacy;`;
    await lintMigrations([file(up)]);
    const moved = parseMigration("007_other.sql", `-- migrate:up\n\n\n${up}\n`);
    assert.deepEqual(
      (await lintMigrations([moved])).map((f) => `${f.file}:${f.line} ${f.rule} ${f.allowed ?? "refused"}`),
      ["007_other.sql:5 drop-column refused"],
    );
    const allowed = parseMigration(
      "007_other.sql",
      `-- migrate:allow drop-column the app stopped reading it\n-- migrate:up\n${up}\n`,
    );
    assert.deepEqual(
      (await lintMigrations([allowed])).map((f) => f.allowed),
      ["the app stopped reading it"],
    );
  });

  it("the key changes with any change to the checks' code, and with the transaction mode", () => {
    const m = file("CREATE INDEX i ON users (email);");
    const base = checksFingerprint();
    const edited = CHECKS_CODE.map((part) =>
      typeof part === "function" && part.name === "isNew" ? () => true : part,
    );
    const table = CHECKS_CODE.map((part) =>
      part instanceof Set && part.has("now") ? new Set(["now"]) : part,
    );
    for (const other of [checksFingerprint(edited), checksFingerprint(table)]) {
      assert.notEqual(other, base);
      assert.notEqual(findingsKey([m], other), findingsKey([m], base));
    }
    assert.equal(findingsKey([m], base), findingsKey([file("CREATE INDEX i ON users (email);")], base));
    const noTx = file("CREATE INDEX i ON users (email);", "-- migrate:no-transaction\n");
    assert.notEqual(findingsKey([noTx], base), findingsKey([m], base));
    // A set is its files in order: one more, one fewer or another order is another set.
    const other = file("DROP TABLE legacy;");
    const sets = [[m], [m, other], [other, m], [m, other, other]].map((set) => findingsKey(set, base));
    assert.equal(new Set(sets).size, sets.length);
  });

  it("CHECKS_CODE lists every declaration of checks.ts, so none can change without changing the key", () => {
    const source = ts.createSourceFile(
      "checks.ts",
      fs.readFileSync(path.join(ROOT, "migrator", "lint", "checks.ts"), "utf8"),
      ts.ScriptTarget.ES2022,
    );
    const declared: string[] = [];
    let listed: string[] = [];
    for (const s of source.statements) {
      if (ts.isFunctionDeclaration(s) && s.name) declared.push(s.name.text);
      if (!ts.isVariableStatement(s)) continue;
      for (const d of s.declarationList.declarations) {
        const name = (d.name as ts.Identifier).text;
        if (name !== "CHECKS_CODE") declared.push(name);
        else if (d.initializer && ts.isArrayLiteralExpression(d.initializer))
          listed = d.initializer.elements.map((e) => e.getText(source));
      }
    }
    assert.ok(declared.length > 10);
    assert.deepEqual(
      [...listed].sort(),
      declared.sort(),
      "add the declaration to CHECKS_CODE in migrator/lint/checks.ts",
    );
    assert.equal(CHECKS_CODE.length, listed.length);
  });

  it("ignores an entry that does not fit the files and answers from the checks", async () => {
    const up = `SELECT ${randomBytes(4).readUInt32BE()};\nDROP TABLE legacy;`;
    assert.deepEqual(await rulesOf(up), ["3 drop-table"]);
    const entry = path.join(parserCacheDir()!, "lint", `${findingsKey([file(up)])}.json`);
    assert.ok(fs.existsSync(entry), "the entry was written");
    for (const damaged of [
      "[[]]extra",
      "[]",
      "[[],[]]",
      '[[{"statement":2,"rule":"drop-table","subject":"x"}]]',
      '[[{"statement":1,"rule":"no-such-rule","subject":"x"}]]',
      '[[{"statement":1,"rule":"drop-table"}]]',
      '[{"statement":1,"rule":"drop-table","subject":"x"}]',
    ]) {
      fs.writeFileSync(entry, damaged);
      assert.deepEqual(await rulesOf(up), ["3 drop-table"], damaged);
    }
  });
});
