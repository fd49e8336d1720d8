// A small seeded fuzz of the migration-file parser over the corpus of
// test/support/migration-fuzz.ts: random directives and look-alikes, quotes, dollar quotes, comments,
// parentheses, CRLF / lone CR, a BOM and invalid UTF-8. Every file either is refused with a message naming
// the file and a line that exists, or splits into statements that re-join to the input: the text between
// statements holds no SQL (only blanks, comments, semicolons and directives).
import { strict as assert } from "node:assert";
import { MigrationFileError, parseMigrationBytes } from "../../migrator";
import { lineStarts } from "../../migrator/lines";
import { splitSql } from "../../migrator/sql-statements";
import { fuzzCorpus } from "../support/migration-fuzz";

describe("migration-file parser fuzz (seeded)", () => {
  it("refuses with file and line, or splits into statements that re-join to the input", () => {
    const outcomes = { parsed: 0, refused: 0, utf8: 0 };
    for (const [n, { name, bytes }] of fuzzCorpus().entries()) {
      const context = () => `case ${n}: ${JSON.stringify(bytes.toString("latin1"))}`;
      let migration;
      try {
        migration = parseMigrationBytes(name, bytes);
      } catch (err) {
        assert.ok(err instanceof MigrationFileError, `${context()}: ${String(err)}`);
        const match = /^Invalid migration file (\S+) \(line (\d+)\): \S/.exec(err.message);
        assert.ok(match, `${context()}: no file and line in "${err.message}"`);
        assert.equal(match[1], name);
        const text = bytes.toString("latin1");
        assert.ok(Number(match[2]) >= 1 && Number(match[2]) <= lineStarts(text).length, context());
        if (/not valid UTF-8/.test(err.message)) outcomes.utf8++;
        else outcomes.refused++;
        continue;
      }
      outcomes.parsed++;
      const text = migration.sql;
      const statements = [...migration.upStatements, ...migration.downStatements];
      let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
      const pieces = [text.slice(0, at)];
      for (const s of statements) {
        assert.ok(s.start >= at && s.end > s.start, context());
        const gap = text.slice(at, s.start);
        assert.deepEqual(splitSql(gap), [], `${context()}: SQL outside a statement: ${JSON.stringify(gap)}`);
        assert.equal(s.text, text.slice(s.start, s.end), context());
        pieces.push(gap, s.text);
        at = s.end;
      }
      assert.deepEqual(splitSql(text.slice(at)), [], context());
      pieces.push(text.slice(at));
      assert.equal(pieces.join(""), text, context());
      assert.equal(Buffer.from(text).equals(bytes), true, `${context()}: decoding changed the bytes`);
    }
    // Each outcome must be exercised, or the fuzz proves little.
    assert.ok(
      outcomes.parsed > 300 && outcomes.refused > 300 && outcomes.utf8 > 50,
      JSON.stringify(outcomes),
    );
  });
});
