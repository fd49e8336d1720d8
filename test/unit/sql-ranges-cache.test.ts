// The parser's answers cached on disk (migrator/sql-ranges-cache.ts): the same statements with or without it,
// for every file in sql/ and every text of the splitter's boundary fixture; a process whose texts are all
// known never starts the parser; a damaged entry is ignored.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../testbed/root";

/** Runs `body` in a fresh process (a cold parser) and returns what it printed as JSON. */
function fresh(body: string, env: NodeJS.ProcessEnv = {}): unknown {
  const script =
    'const { splitSql } = require("./migrator/sql-statements");' +
    'const { sqlParserStarted } = require("./migrator/sql-parser");' +
    `const texts = JSON.parse(process.env.TEXTS); ${body}`;
  return JSON.parse(
    execFileSync(process.execPath, ["-r", "./tools/ts-register.cjs", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, ...env },
    }),
  );
}

// The statements first: `started` must be read after them.
const SPLIT =
  "const statements = texts.map((t) => { try { return splitSql(t).map((s) => [s.start, s.end, s.line, s.text]); } " +
  "catch (e) { return String(e.message); } });" +
  "process.stdout.write(JSON.stringify({ started: sqlParserStarted(), statements }));";

function sqlTexts(): string[] {
  const dir = path.join(ROOT, "sql");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".sql"));
  const fixture = JSON.parse(
    fs.readFileSync(path.join(ROOT, "test", "fixtures", "split-boundaries.json"), "utf8"),
  ) as unknown;
  const fromFixture =
    JSON.stringify(fixture).length > 0 ? collectStrings(fixture).filter((s) => /;/.test(s)) : [];
  return [...files.map((f) => fs.readFileSync(path.join(dir, f), "utf8")), ...fromFixture];
}

function collectStrings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.flatMap(collectStrings);
  if (v && typeof v === "object") return Object.values(v).flatMap(collectStrings);
  return [];
}

describe("the SQL parser's answers cached on disk", function () {
  this.timeout(60_000);

  it("gives the statements (and refusals) the parser gives, for sql/ and the boundary fixture", () => {
    const texts = [...sqlTexts(), `SELECT 1; SELECT 'unterminated -- ${randomBytes(4).toString("hex")}`];
    const env = { TEXTS: JSON.stringify(texts) };
    const uncached = fresh(SPLIT, { ...env, OFFTHEGRID_SQL_CACHE: "off" }) as { statements: unknown[] };
    const first = fresh(SPLIT, env) as { statements: unknown[] };
    const second = fresh(SPLIT, env) as { started: boolean; statements: unknown[] };
    assert.ok(texts.length > 2);
    assert.deepEqual(first.statements, uncached.statements);
    assert.deepEqual(second.statements, uncached.statements);
    assert.equal(second.started, false, "every text known: the parser was never started");
  });

  it("a text it has not seen starts the parser; one it has does not", () => {
    const text = `SELECT ${randomBytes(4).readUInt32BE()};`;
    const env = { TEXTS: JSON.stringify([text]) };
    assert.equal((fresh(SPLIT, env) as { started: boolean }).started, true);
    assert.equal((fresh(SPLIT, env) as { started: boolean }).started, false);
  });

  it("ignores an entry that does not fit its text and answers from the parser", () => {
    const text = `SELECT 1; SELECT ${randomBytes(4).readUInt32BE()};`;
    const env = { TEXTS: JSON.stringify([text]) };
    const good = fresh(SPLIT, env) as { statements: unknown[] };
    const dir = fs
      .readdirSync(path.join(ROOT, "node_modules", ".cache"))
      .filter((d) => d.startsWith("offthegrid-sql-"))
      .map((d) => path.join(ROOT, "node_modules", ".cache", d))[0];
    const { createHash } = require("node:crypto") as typeof import("node:crypto");
    const file = path.join(dir, `${createHash("sha256").update(text).digest("hex").slice(0, 40)}.json`);
    assert.ok(fs.existsSync(file), "the entry was written");
    for (const damaged of [
      '{"ranges":[[0,999]]}',
      '{"ranges":[[5,1],[0,1]]}',
      "not json",
      '{"ranges":"x"}',
    ]) {
      fs.writeFileSync(file, damaged);
      const again = fresh(SPLIT, env) as { started: boolean; statements: unknown[] };
      assert.deepEqual(again.statements, good.statements, damaged);
      assert.equal(again.started, true, `${damaged}: the parser answered`);
    }
  });

  it("withParserIfNeeded: known files never load the parser; an unknown one loads it in this thread", () => {
    const file = { name: "001_x.sql", sql: `-- migrate:up\nSELECT ${randomBytes(4).readUInt32BE()};\n` };
    const body =
      'const { loadMigrations } = require("./migrator/sources");' +
      'require("./migrator/sql-parser").withParserIfNeeded(texts.map((t) => t.sql), () => loadMigrations(texts))' +
      ".then((m) => " +
      "process.stdout.write(JSON.stringify({ statements: m[0].upStatements.length, started: sqlParserStarted(), " +
      'inThread: Object.keys(require.cache).some((k) => k.includes("libpg-query")) })));';
    const env = { TEXTS: JSON.stringify([file]) };
    assert.deepEqual(fresh(body, env), { statements: 1, started: true, inThread: true });
    assert.deepEqual(fresh(body, env), { statements: 1, started: false, inThread: false });
  });

  it("withParserIfNeeded keeps a set's answers as one pack: one file written cold, read warm, damage ignored", () => {
    const salt = randomBytes(4).readUInt32BE();
    const files = Array.from({ length: 5 }, (_, i) => ({
      name: `00${i + 1}_x.sql`,
      sql: `-- migrate:up\nSELECT ${salt + i};\nSELECT 'a;b';\n-- migrate:down\nSELECT ${i};\n`,
    }));
    const body =
      'const { loadMigrations } = require("./migrator/sources");' +
      'require("./migrator/sql-parser").withParserIfNeeded(texts.map((t) => t.sql), () => loadMigrations(texts))' +
      ".then((m) => process.stdout.write(JSON.stringify({ started: sqlParserStarted(), " +
      "statements: m.map((f) => [...f.upStatements, ...f.downStatements].map((s) => s.text)) })));";
    const env = { TEXTS: JSON.stringify(files) };
    const cache = fs
      .readdirSync(path.join(ROOT, "node_modules", ".cache"))
      .filter((d) => d.startsWith("offthegrid-sql-"))
      .map((d) => path.join(ROOT, "node_modules", ".cache", d))[0];
    const packs = path.join(cache, "packs");
    const list = (d: string) =>
      fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith(".json")) : [];
    const [entriesBefore, packsBefore] = [list(cache).length, list(packs)];
    const cold = fresh(body, env) as { started: boolean; statements: string[][] };
    assert.equal(cold.started, true);
    assert.deepEqual(cold.statements[1], [`SELECT ${salt + 1}`, "SELECT 'a;b'", "SELECT 1"]);
    assert.equal(list(cache).length, entriesBefore, "no entry file per text");
    const added = list(packs).filter((f) => !packsBefore.includes(f));
    assert.equal(added.length, 1, "one pack for the set");
    const warm = fresh(body, env) as { started: boolean; statements: string[][] };
    assert.deepEqual(warm, { started: false, statements: cold.statements });
    const pack = path.join(packs, added[0]);
    const wrongRanges = Object.fromEntries(
      Object.keys(JSON.parse(fs.readFileSync(pack, "utf8"))).map((k) => [k, { ranges: [[0, 9999]] }]),
    );
    for (const damaged of ["not json", "[]", '{"x":1}', JSON.stringify(wrongRanges)]) {
      fs.writeFileSync(pack, damaged);
      assert.deepEqual(fresh(body, env), { started: true, statements: cold.statements }, damaged);
    }
  });
});
