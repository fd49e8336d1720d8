// The schema resource's check runs the migration lint (#17): `pulumi preview` with an unsafe new file fails in
// check, before anything runs, with the same line `offthegrid-migrate lint` prints. (The real-CLI proof is in
// test/e2e/dev.test.ts; this one is the fast check of the provider method itself, through the shipped bundle.)
import { strict as assert } from "node:assert";
import { parseMigration } from "../../migrator";
import { formatFinding, lintMigrations } from "../../migrator/lint";
import { schemaProvider } from "../../stack/schema/bundled-provider";

const input = (name: string, sql: string) => ({ name, sql, checksum: parseMigration(name, sql).checksum });

describe("schema provider check: the migration lint", () => {
  it("fails an unsafe file with the lint's line, passes the safe rewrite and an opted-out file", async () => {
    const unsafe = input(
      "006_index.sql",
      "-- migrate:up\nCREATE INDEX users_created ON users (created_at);\n",
    );
    const check = (migrations: unknown[]) =>
      schemaProvider.check({} as never, { migrations } as never) as Promise<{
        failures: { reason: string }[];
      }>;
    const [finding] = await lintMigrations([parseMigration(unsafe.name, unsafe.sql)]);
    const { failures } = await check([unsafe]);
    assert.deepEqual(
      failures.map((f) => f.reason),
      [`migration lint: ${formatFinding(finding)}`],
    );
    const safe = input(
      "006_index.sql",
      "-- migrate:no-transaction\n-- migrate:up\nCREATE INDEX CONCURRENTLY users_created ON users (created_at);\n",
    );
    assert.deepEqual((await check([safe])).failures, []);
    const allowed = input(
      "006_index.sql",
      "-- migrate:allow create-index-non-concurrent users has 40 rows on every stack\n" + unsafe.sql,
    );
    assert.deepEqual((await check([allowed])).failures, []);
  });
});
