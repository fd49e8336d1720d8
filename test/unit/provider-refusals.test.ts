// The schema provider's refusals through the shipped bundle, fast and without a database: check for a new
// resource, diff for an update (it sees the applied (name, checksum) pairs the state records). Each is the
// text `offthegrid-migrate` prints, and nothing else: no SQL, no stack frames. The real-CLI proof is
// test/e2e/preview-refusals.test.ts.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseMigration } from "../../migrator";
import { formatFinding, lintMigrations } from "../../migrator/lint";
import { prebuiltProviderText } from "../../stack/dynamic/prebuilt-resource";
import type { schemaProvider as SchemaProvider } from "../../stack/schema/provider";

const requireFromString = require("require-from-string");
/** The provider as the engine's host loads it: the prebuilt bundle's `__provider` text. */
const schemaProvider = requireFromString(
  prebuiltProviderText("schemaMigrations"),
).handler() as typeof SchemaProvider;
type Migrations = Record<string, string>;

/**
 * A migration directory holding `files`; returns the provider's view of it (directory + names and checksums).
 */
function directoryOf(files: Record<string, string>): { directory: string; migrations: Migrations } {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-refusals-"));
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(directory, name), sql);
  const migrations = Object.fromEntries(
    Object.entries(files).map(([name, sql]) => [name, parseMigration(name, sql).checksum]),
  );
  return { directory, migrations };
}

const check = (news: object) =>
  schemaProvider.check({} as never, news as never) as Promise<{
    failures: { property: string; reason: string }[];
  }>;
const diff = (applied: Migrations | object[], news: object) =>
  schemaProvider.diff("id", { migrations: applied } as never, news as never);

const A = "-- migrate:up\nCREATE TABLE a (id int);\n";
const UNSAFE = "-- migrate:up\nCREATE INDEX users_created ON users (created_at);\n";

describe("schema provider refusals (check and diff, through the bundle)", () => {
  it("check, new resource: fails an unsafe file with the lint's line, passes the safe rewrite and an opted-out file", async () => {
    const unsafe = directoryOf({ "006_index.sql": UNSAFE });
    const [finding] = await lintMigrations([parseMigration("006_index.sql", UNSAFE)]);
    const { failures } = await check(unsafe);
    assert.equal(failures.length, 1);
    assert.equal(failures[0].property, "", "no property: the CLI would print its whole value");
    assert.ok(failures[0].reason.includes(formatFinding(finding)), failures[0].reason);
    const safe = directoryOf({
      "006_index.sql":
        "-- migrate:no-transaction\n-- migrate:up\nCREATE INDEX CONCURRENTLY users_created ON users (created_at);\n",
    });
    assert.deepEqual((await check(safe)).failures, []);
    const allowed = directoryOf({
      "006_index.sql": `-- migrate:allow create-index-non-concurrent users has 40 rows on every stack\n${UNSAFE}`,
    });
    assert.deepEqual((await check(allowed)).failures, []);
  });

  it("check: a listed file that is gone or changed since the program read it is named", async () => {
    const dir = directoryOf({ "005_a.sql": A });
    fs.writeFileSync(path.join(dir.directory, "005_a.sql"), A.replace("int", "bigint"));
    const [changed] = (await check(dir)).failures;
    assert.match(changed.reason, /005_a\.sql changed while pulumi ran .* Run the command again\./);
    fs.rmSync(path.join(dir.directory, "005_a.sql"));
    const [gone] = (await check(dir)).failures;
    assert.match(gone.reason, /005_a\.sql is gone/);
  });

  it("diff, update: refuses an applied file changed, deleted or renamed, and an unsafe new file, with up's message and no stack frames", async () => {
    const a = directoryOf({ "005_a.sql": A });
    const recorded = a.migrations;
    const cases: [string, { directory: string; migrations: Migrations }, RegExp][] = [
      [
        "changed",
        directoryOf({ "005_a.sql": A.replace("int", "bigint") }),
        /^Migration changed after it was applied: 005_a\.sql was applied with checksum/,
      ],
      ["deleted", directoryOf({}), /^Applied migration missing from disk: 005_a\.sql/],
      [
        "renamed",
        directoryOf({ "005_a_renamed.sql": A }),
        /^Applied migration missing from disk: 005_a\.sql/,
      ],
      [
        "unsafe new file",
        directoryOf({ "005_a.sql": A, "006_index.sql": UNSAFE }),
        /^Migration lint refused 1 statement.*\n\s+006_index\.sql:2 create-index-non-concurrent/,
      ],
    ];
    for (const [label, news, message] of cases) {
      const err = await diff(recorded, news).then(
        () => assert.fail(`${label}: diff accepted`),
        (e: Error) => e,
      );
      assert.match(err.message, message, label);
      // What the dynamic-provider host prints for a thrown error: `${error}: ${error.stack}`.
      const printed = `${err}: ${err.stack}`;
      assert.doesNotMatch(printed, /\n\s+at /, `${label}: no stack frames`);
      assert.doesNotMatch(printed, /CREATE TABLE/, `${label}: no SQL`);
    }
    // The same files as recorded: no change; a new safe file: an update.
    assert.equal((await diff(recorded, a)).changes, false);
    const added = directoryOf({ "005_a.sql": A, "006_b.sql": "-- migrate:up\nCREATE TABLE b (id int);\n" });
    assert.deepEqual((await diff(recorded, added)).changed, ["migrations"]);
  });

  it("diff: a state written by an older version, which still holds each migration's SQL, is rewritten once without it", async () => {
    const a = directoryOf({ "005_a.sql": A });
    const old = Object.entries(a.migrations).map(([name, checksum]) => ({ name, checksum, sql: A }));
    assert.deepEqual((await diff(old, a)).changed, ["migrations"]);
  });
});
