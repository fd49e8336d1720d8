// How the statement splitter reaches PostgreSQL's parser (migrator/sql-parser.ts): in this thread once an
// async entry point awaited it, through a worker thread for synchronous code such as the Pulumi program; and
// where a refusal points when the text has characters outside ASCII.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { loadMigrations, loadSqlParser, readMigrationDirectory } from "../../migrator";
import { splitSql } from "../../migrator/sql-statements";

import { ROOT } from "../../testbed/root";
const boundaries = (files: ReturnType<typeof loadMigrations>) =>
  files.map((m) => [m.name, [...m.upStatements, ...m.downStatements].map((s) => [s.start, s.end, s.line])]);

describe("the SQL parser behind the statement splitter", () => {
  it("synchronous code in a fresh process parses through the worker thread, with the statements the in-thread parser gives", async () => {
    const script =
      'const { loadMigrations, readMigrationDirectory } = require("./migrator");' +
      'const files = loadMigrations(readMigrationDirectory("sql"));' +
      'const inThread = Object.keys(require.cache).some((k) => k.includes("libpg-query"));' +
      "process.stdout.write(JSON.stringify({ inThread, boundaries: files.map((m) => [m.name, " +
      "[...m.upStatements, ...m.downStatements].map((s) => [s.start, s.end, s.line])]) }));";
    const out = JSON.parse(
      execFileSync(process.execPath, ["-r", "./tools/ts-register.cjs", "-e", script], {
        cwd: ROOT,
        encoding: "utf8",
        // The parser itself, not its answers cached by an earlier run.
        env: { ...process.env, OFFTHEGRID_SQL_CACHE: "off" },
      }),
    );
    assert.equal(out.inThread, false, "the main thread did not load the WASM parser");
    await loadSqlParser();
    assert.deepEqual(
      out.boundaries,
      boundaries(loadMigrations(readMigrationDirectory(path.join(ROOT, "sql")))),
    );
  });

  it("points a refusal at the line and character the parser names, past multi-byte and astral characters", async () => {
    await loadSqlParser();
    const sql = "SELECT 'é𝄞';\nSELECT '𝄞' AS \"ü\",\n  FROM t;";
    assert.throws(() => splitSql(sql), /syntax error at or near "FROM" \(line 3\)/);
    const [, second] = splitSql("SELECT 'é𝄞';\n/* ü */ SELECT 2 /* 𝄞 */;");
    assert.deepEqual([second.text, second.line], ["SELECT 2", 2]);
  });
});
