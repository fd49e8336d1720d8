// A small seeded fuzz of the migration-file parser (#10, Tests): random directives and look-alikes, quotes,
// dollar quotes, comments, parentheses, CRLF / lone CR, a BOM and invalid UTF-8. Every file either is refused
// with a message naming the file and a line that exists, or splits into statements that re-join to the input:
// the text between statements holds no SQL (only blanks, comments, semicolons and directives).
import { strict as assert } from "node:assert";
import { MigrationFileError, parseMigrationBytes } from "../../migrator";
import { lineStarts, splitSql } from "../../migrator/sql-split";

/** mulberry32: small, seeded, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIRECTIVES = [
  "-- migrate:up",
  "-- migrate:down",
  "-- migrate:no-transaction",
  "-- migrate:lock-timeout 5s",
];
const LOOK_ALIKES = [
  "  -- migrate:down",
  "-- Migrate:up",
  "-- migrate: up",
  "--migrate:down",
  "-- migrate:up ",
];
const SQL = [
  "SELECT 1",
  "CREATE TABLE t (id int)",
  "INSERT INTO t VALUES (1)",
  "'str;ing'",
  "E'it\\'s;'",
  "'it''s'",
  '"id;ent"',
  "$$ a; b $$",
  "$tag$ x;$$ -- y $tag$",
  "-- a comment; here",
  "/* block; /* nested; */ */",
  ";",
  ";",
  "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
  "café",
  "𝄞",
];
const RISKY = ["(", ")", "BEGIN", "COMMIT", "END", "'open", "$$ open", "/* open", '"open'];
const BREAKS = ["\n", "\n", "\r\n", " ", "\r", "\t"];
const INVALID = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]];

function generate(random: () => number): Buffer {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const parts: Buffer[] = [];
  if (random() < 0.1) parts.push(Buffer.from("\uFEFF"));
  const header = random() < 0.3 ? [pick(DIRECTIVES.slice(2))] : [];
  const lines = [...header, ...(random() < 0.9 ? ["-- migrate:up"] : [])];
  const count = 1 + Math.floor(random() * 12);
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.08) lines.push(pick(DIRECTIVES));
    else if (r < 0.12) lines.push(pick(LOOK_ALIKES));
    else
      lines.push(
        Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(random() < 0.05 ? RISKY : SQL)).join(
          " ",
        ),
      );
  }
  for (const line of lines) {
    parts.push(Buffer.from(line));
    if (random() < 0.015) parts.push(Buffer.from(pick(INVALID)));
    parts.push(Buffer.from(pick(BREAKS)));
  }
  return Buffer.concat(parts);
}

describe("migration-file parser fuzz (seeded)", () => {
  it("refuses with file and line, or splits into statements that re-join to the input", () => {
    const random = prng(0x5eed);
    const outcomes = { parsed: 0, refused: 0, utf8: 0 };
    for (let n = 0; n < 3000; n++) {
      const bytes = generate(random);
      const name = `${String(n + 1).padStart(4, "0")}_fuzz.sql`;
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
