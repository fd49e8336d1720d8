// `--stack NAME` on the compiled CLIs, without a stack: a set variable wins (pulumi is not even asked), and
// with neither the message names both ways. The stack itself is read in test/e2e/dev-command.test.ts.
import { strict as assert } from "node:assert";
import { bin } from "../support/bin";
import { freePort } from "../../testbed/ports";

describe("--stack on offthegrid-migrate and offthegrid-db", function () {
  this.timeout(30_000);
  const noPulumi = { PATH: "/nonexistent" + ":" + process.execPath.replace(/\/node$/, "") };

  it("a set DATABASE_URL wins over --stack: pulumi is never asked", async () => {
    const stopped = `postgresql://o:pw@127.0.0.1:${await freePort()}/d`;
    const r = await bin("offthegrid-migrate", ["status", "--stack", "nosuch", "--wait", "1"], {
      ...noPulumi,
      DATABASE_URL: stopped,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /did not accept connections/);
    assert.doesNotMatch(r.stderr, /pulumi/);
  });

  it("with neither, each CLI names both ways (the variable, --stack)", async () => {
    const migrate = await bin("offthegrid-migrate", ["status"], noPulumi);
    assert.equal(migrate.code, 2);
    assert.match(migrate.stderr, /DATABASE_URL is not set: .*or pass --stack NAME/);
    const db = await bin("offthegrid-db", ["health"], noPulumi);
    assert.equal(db.code, 2);
    assert.match(db.stderr, /DATABASE_URL \(or --database-url-file FILE\) is not set: .*pass --stack NAME/);
  });

  it("--stack without a pulumi on PATH says how to get one", async () => {
    const r = await bin("offthegrid-db", ["health", "--stack", "dev"], noPulumi);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /`pulumi` is not on PATH: install the Pulumi CLI/);
  });
});
