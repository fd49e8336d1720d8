// The seeded migration-file corpus of the parser fuzz: random directives and look-alikes,
// quotes, dollar quotes, comments, parentheses, CRLF / lone CR, a BOM and invalid UTF-8. Shared by the fuzz
// test and the test that the parser-based splitter keeps the old splitter's boundaries
// (migrator-split-boundaries.test.ts).

/** mulberry32: small, seeded, reproducible. */
export function prng(seed: number): () => number {
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
/** Statements with quotes, dollar quotes, comments and semicolons inside, so that most files parse. */
const SQL = [
  "SELECT 1",
  "CREATE TABLE t (id int)",
  "INSERT INTO t VALUES (1)",
  "SELECT 'str;ing'",
  "SELECT E'it\\'s;'",
  "SELECT 'it''s'",
  'SELECT 1 AS "id;ent"',
  "SELECT $$ a; b $$",
  "SELECT $tag$ x;$$ -- y $tag$",
  "-- a comment; here",
  "/* block; /* nested; */ */ SELECT 2",
  "SELECT 3 /* trailing; */",
  "",
  "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
  "CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b)",
  "SELECT 'café'",
  "SELECT '𝄞' AS \"é\"",
];
/** What follows a statement: mostly its semicolon, sometimes with a comment, rarely nothing. */
const ENDS = [";", ";", ";", " ;", "; -- after", " /* c */;", "/* c */ ;"];
const RISKY = ["(", ")", "BEGIN", "COMMIT", "END", "'open", "$$ open", "/* open", '"open'];
const BREAKS = ["\n", "\n", "\r\n", " ", "\r", "\t"];
const INVALID = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]];

export function generate(random: () => number): Buffer {
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
        Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
          random() < 0.05 ? pick(RISKY) : pick(SQL) + (random() < 0.03 ? "" : pick(ENDS)),
        ).join(" "),
      );
  }
  for (const line of lines) {
    parts.push(Buffer.from(line));
    if (random() < 0.015) parts.push(Buffer.from(pick(INVALID)));
    parts.push(Buffer.from(pick(BREAKS)));
  }
  return Buffer.concat(parts);
}

/** The corpus: `count` files from the fixed seed, with the names the fuzz gives them. */
export function fuzzCorpus(count = FUZZ_CASES): { name: string; bytes: Buffer }[] {
  const random = prng(FUZZ_SEED);
  return Array.from({ length: count }, (_, n) => ({
    name: `${String(n + 1).padStart(4, "0")}_fuzz.sql`,
    bytes: generate(random),
  }));
}

export const FUZZ_SEED = 0x5eed;
export const FUZZ_CASES = 3000;
