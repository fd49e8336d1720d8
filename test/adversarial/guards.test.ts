// Destructive commands against a database whose stack marker says prod.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TestPostgres, startPostgres, withClient } from "../../testbed/postgres";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";
import { opsCli, migrateCli } from "./support";

const DENIED = (e: { code?: string }) => e.code === "42501";
const tables = (db: PreparedDatabase) =>
  withClient(db.as("admin"), async (c) =>
    Number((await c.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n),
  );
const marker = (db: PreparedDatabase) =>
  withClient(
    db.as("admin"),
    async (c) => (await c.query("SELECT environment, stack FROM stack.marker")).rows,
  );

describe("adversarial: guards on destructive commands (real PostgreSQL 15, pg_dump 15)", function () {
  this.timeout(120_000);
  let pg: TestPostgres;
  let prod: PreparedDatabase;
  let dev: PreparedDatabase;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-adv-guards-"));

  before(async () => {
    pg = await startPostgres({ major: 15 });
    prod = await preparedDatabase(pg, "adv_prod", "prod");
    dev = await preparedDatabase(pg, "adv_dev", "dev");
  });
  after(async () => {
    await pg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  // Item 5: `migrate down` against a prod-marked database dropped every table.
  it("migrate down on a prod-marked database: refused without, with --yes, and with a wrong --database", async () => {
    const before = await tables(prod);
    for (const extra of [[], ["--yes"], ["--database", "offthegrid"]]) {
      const run = await migrateCli(["down", "9", ...extra], { DATABASE_URL: prod.url("owner") });
      assert.equal(run.code, 1, run.out);
      assert.match(String(run.error), /Refusing to roll back 9 migration\(s\)/);
    }
    const plain = await migrateCli(["down", "9"], { DATABASE_URL: prod.url("owner") });
    assert.match(
      String(plain.error),
      /marked environment "prod" \(stack test\)\. Only databases marked dev accept --yes/,
    );
    assert.equal(await tables(prod), before, "nothing was dropped");
  });

  it("migrate down on a dev database needs --yes; naming the database works anywhere", async () => {
    const refused = await migrateCli(["down"], { DATABASE_URL: dev.url("owner") });
    assert.match(String(refused.error), /without --yes/);
    const ok = await migrateCli(["down", "--yes"], { DATABASE_URL: dev.url("owner") });
    assert.equal(ok.code, 0, String(ok.error));
    const named = await migrateCli(["down", "--database", dev.name], { DATABASE_URL: dev.url("owner") });
    assert.equal(named.code, 0, String(named.error));
    assert.equal((await migrateCli(["up"], { DATABASE_URL: dev.url("owner") })).code, 0);
  });

  // Item 6: a dev dump restored with --force into prod replaced the prod marker with dev; reset then ran on
  // prod.
  it("restore --force of a dev dump into prod is refused; when named, it restores and the prod marker stays", async () => {
    const dir = path.join(tmp, "dev-dump");
    const backup = await opsCli(["backup", "--postgres-only", "--dir", dir, "--json"], {
      DATABASE_URL: dev.url("readonly"),
    });
    assert.equal(backup.code, 0, String(backup.error));
    const file = JSON.parse(backup.out).postgres;
    const contents = execFileSync("pg_restore", ["--list", file]).toString();
    assert.doesNotMatch(contents, / stack /, "the dump carries no marker");
    const forced = await opsCli(["restore", file, "--force"], { ADMIN_DATABASE_URL: prod.url("admin") });
    assert.match(
      String(forced.error),
      /Refusing to restore into database adv_prod_\w+: it is marked environment "prod"/,
    );
    const wrong = await opsCli(["restore", file, "--force", "--database", dev.name], {
      ADMIN_DATABASE_URL: prod.url("admin"),
    });
    assert.match(String(wrong.error), /does not match the database this URL reaches/);
    const named = await opsCli(["restore", file, "--force", "--database", prod.name], {
      ADMIN_DATABASE_URL: prod.url("admin"),
    });
    assert.equal(named.code, 0, String(named.error));
    assert.deepEqual(await marker(prod), [{ environment: "prod", stack: "test" }]);
    const reset = await opsCli(["reset", "--yes"], { DATABASE_URL: prod.url("owner") });
    assert.match(String(reset.error), /Refusing to reset: this database is marked environment "prod"/);
  });

  it("a dump that still carries a dev marker (older backups, raw pg_dump) cannot overwrite the prod marker", async () => {
    const file = path.join(tmp, "postgres_backup_20260101_000000.dump");
    const admin = dev.as("admin");
    execFileSync(
      "pg_dump",
      [
        "--format=custom",
        "-h",
        "127.0.0.1",
        "-p",
        String(admin.port),
        "-U",
        "postgres",
        "-d",
        dev.name,
        "-f",
        file,
      ],
      {
        env: { ...process.env, PGPASSWORD: String(admin.password) },
      },
    );
    assert.match(execFileSync("pg_restore", ["--list", file]).toString(), /TABLE DATA stack marker/);
    execFileSync("sh", ["-c", `sha256sum "${path.basename(file)}" > "${path.basename(file)}.sha256"`], {
      cwd: tmp,
    });
    const named = await opsCli(["restore", file, "--force", "--database", prod.name], {
      ADMIN_DATABASE_URL: prod.url("admin"),
    });
    assert.equal(named.code, 0, String(named.error));
    assert.deepEqual(await marker(prod), [{ environment: "prod", stack: "test" }]);
  });

  it("the owner role can neither change, drop, nor replace the marker", async () => {
    await withClient(prod.as("owner"), async (c) => {
      await assert.rejects(c.query("UPDATE stack.marker SET environment = 'dev'"), DENIED);
      await assert.rejects(c.query("DELETE FROM stack.marker"), DENIED);
      await assert.rejects(c.query("DROP TABLE stack.marker"), DENIED);
      await assert.rejects(c.query("DROP SCHEMA stack CASCADE"), DENIED);
      await assert.rejects(c.query("ALTER SCHEMA stack RENAME TO stack_old"), DENIED);
      await assert.rejects(c.query("CREATE SCHEMA stack_new"), DENIED);
    });
    assert.deepEqual(await marker(prod), [{ environment: "prod", stack: "test" }]);
  });
});
