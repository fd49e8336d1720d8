// Progress tracking of no-transaction files: the runner's own CPU (parse + one progress
// checksum per statement) and a whole apply, for 2,000 and 8,000 statements. Linear means 8,000 costs about
// 4x 2,000.
import { loadMigrations, migrateUp } from "../../migrator";
import { PrefixHasher } from "../../migrator/no-transaction";
import { TestPostgres } from "../postgres";

function manyStatements(n: number): { name: string; sql: string } {
  const body = Array.from(
    { length: n },
    (_, i) => `CREATE INDEX CONCURRENTLY IF NOT EXISTS i${i} ON t (c${i % 7});`,
  );
  return { name: "002_many.sql", sql: `-- migrate:no-transaction\n-- migrate:up\n${body.join("\n")}\n` };
}

export async function noTransactionProgress(pg: TestPostgres): Promise<string> {
  const lines = [
    "### No-transaction progress tracking",
    "",
    "| statements | runner CPU: parse + progress checksums | whole apply (`SELECT 1` statements, 2 round trips each) |",
    "| ---: | ---: | ---: |",
  ];
  for (const n of [2000, 8000]) {
    const file = manyStatements(n);
    const start = performance.now();
    const [m] = loadMigrations([file]);
    const hasher = new PrefixHasher(m.upStatements);
    for (let i = 0; i <= n; i++) hasher.at(i);
    const cpu = performance.now() - start;
    const db = await pg.createDatabase("bench_notx");
    const selects = { name: file.name, sql: file.sql.replace(/CREATE INDEX[^;]*;/g, "SELECT 1;") };
    const applyStart = performance.now();
    const { error } = await migrateUp({ connection: pg.config(db), migrations: [selects] });
    if (error) throw error;
    const apply = performance.now() - applyStart;
    lines.push(
      `| ${n.toLocaleString("en")} | ${(cpu / 1000).toFixed(3)} s | ${(apply / 1000).toFixed(2)} s |`,
    );
  }
  return lines.join("\n");
}
