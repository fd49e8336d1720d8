// The one decision preview and up share (migrator/preflight.ts): what `up` refuses before anything runs, from
// the files and an applied history. The provider feeds it the history its state records (recordedHistory);
// the runner the one it reads. Pure: no database, no Pulumi.
import { strict as assert } from "node:assert";
import { MigrationPlanError, parseMigration, preflightUp, recordedHistory } from "../../migrator";
import { MigrationLintError } from "../../migrator/lint";

const file = (name: string, body: string) => parseMigration(name, `-- migrate:up\n${body}\n`);
const applied = (...files: { name: string; checksum: string }[]) =>
  recordedHistory(files.map(({ name, checksum }) => ({ name, checksum })));

const a = file("005_a.sql", "CREATE TABLE a (id int);");
const b = file("006_b.sql", "CREATE TABLE b (id int);");
const unsafe = file("007_index.sql", "CREATE INDEX b_id ON b (id);");

async function refusal(files: ReturnType<typeof file>[], history: ReturnType<typeof applied>) {
  return preflightUp(files, history).then(
    () => undefined,
    (err: Error) => err,
  );
}

describe("preflightUp: what up refuses, decided without a database", () => {
  it("plans the files the history lacks", async () => {
    const plan = await preflightUp([a, b], applied(a));
    assert.deepEqual(
      plan.pending.map((m) => m.name),
      ["006_b.sql"],
    );
  });

  it("refuses an applied file that changed, naming it and both checksums", async () => {
    const edited = file("005_a.sql", "CREATE TABLE a (id bigint);");
    const err = await refusal([edited, b], applied(a, b));
    assert.ok(err instanceof MigrationPlanError && err.rule === "changed-after-apply");
    assert.match(
      err.message,
      /005_a\.sql was applied with checksum sha256:[0-9a-f]{64} but the file now has/,
    );
    assert.ok(err.message.includes(a.checksum) && err.message.includes(edited.checksum));
  });

  it("refuses an applied file deleted or renamed, naming the recorded name", async () => {
    const renamed = parseMigration("006_b_renamed.sql", `-- migrate:up\nCREATE TABLE b (id int);\n`);
    for (const files of [[a], [a, renamed]]) {
      const err = await refusal(files, applied(a, b));
      assert.ok(err instanceof MigrationPlanError && err.rule === "missing-file", String(err));
      assert.match(err.message, /^Applied migration missing from disk: 006_b\.sql is recorded as applied/);
    }
  });

  it("refuses a new file numbered below the latest applied one", async () => {
    const early = file("004_early.sql", "CREATE TABLE e (id int);");
    const err = await refusal([early, a, b], applied(a, b));
    assert.ok(err instanceof MigrationPlanError && err.rule === "out-of-order");
    assert.match(err.message, /004_early\.sql is new but numbered below 006_b\.sql/);
  });

  it("lints the files it would run, not those already applied", async () => {
    const err = await refusal([a, b, unsafe], applied(a, b));
    assert.ok(err instanceof MigrationLintError, String(err));
    assert.match(err.message, /007_index\.sql:2 create-index-non-concurrent/);
    // The same file, once applied (say, before the rule existed), is history: up does not judge it again.
    assert.equal(await refusal([a, b, unsafe], applied(a, b, unsafe)), undefined);
  });

  it("recordedHistory reads each version from its name, all applied", () => {
    assert.deepEqual(applied(a), [
      { version: 5, name: "005_a.sql", checksum: a.checksum, status: "applied" },
    ]);
  });
});
