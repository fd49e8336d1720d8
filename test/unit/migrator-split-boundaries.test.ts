// The statement splitter built on PostgreSQL's parser (migrator/sql-statements.ts) keeps the boundaries of
// the hand-written splitter it replaced: the statements' offsets decide what is sent, the
// no-transaction progress checksums and the lines in messages. test/fixtures/split-boundaries.json holds what
// the old splitter gave, recorded from it before it was deleted.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Migration, MigrationFileError, parseMigrationBytes } from "../../migrator";
import { FUZZ_CASES, FUZZ_SEED, fuzzCorpus } from "../support/migration-fuzz";
import fixture from "../fixtures/split-boundaries.json";

import { ROOT } from "../../testbed/root";
const boundaries = (m: Migration) =>
  [m.upStatements, m.downStatements].map((ss) => ss.map((s) => `${s.start}-${s.end}`).join(" ")).join(" | ");

describe("statement splitter on PostgreSQL's parser: the old splitter's boundaries", () => {
  it("every file in sql/: the same 123 statements, each from the same first to the same last character", () => {
    const dir = path.join(ROOT, "sql");
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".sql"));
    assert.deepEqual(files.sort(), Object.keys(fixture.sql).sort());
    let count = 0;
    for (const file of files) {
      const m = parseMigrationBytes(file, fs.readFileSync(path.join(dir, file)));
      assert.equal(boundaries(m), fixture.sql[file as keyof typeof fixture.sql], file);
      count += m.upStatements.length + m.downStatements.length;
    }
    assert.equal(count, 123);
  });

  it("the fuzz corpus: what the parser accepts splits as before; what the old splitter accepted and the parser does not is a syntax error, with file and line", () => {
    const corpus = fuzzCorpus();
    const digest = createHash("sha256");
    for (const c of corpus) digest.update(c.bytes);
    assert.deepEqual(
      { seed: FUZZ_SEED, cases: FUZZ_CASES, sha256: digest.digest("hex") },
      fixture.corpus,
      "the fuzz corpus changed since the old boundaries were recorded",
    );
    const old = fixture.fuzz as Record<string, string>;
    const outcomes = { same: 0, nowSyntaxError: 0, refusedByBoth: 0 };
    for (const { name, bytes } of corpus) {
      let m: Migration;
      try {
        m = parseMigrationBytes(name, bytes);
      } catch (err) {
        assert.ok(err instanceof MigrationFileError, `${name}: ${String(err)}`);
        if (old[name] === undefined) outcomes.refusedByBoth++;
        else {
          assert.match(
            err.message,
            /^Invalid migration file \S+ \(line \d+\): PostgreSQL's parser refuses it: /,
          );
          outcomes.nowSyntaxError++;
        }
        continue;
      }
      assert.ok(old[name] !== undefined, `${name}: accepted now, refused by the old splitter`);
      assert.equal(boundaries(m), old[name], `${name}: ${JSON.stringify(bytes.toString("latin1"))}`);
      outcomes.same++;
    }
    assert.deepEqual(outcomes, { same: 415, nowSyntaxError: 177, refusedByBoth: 2408 });
  });
});
