// sql/migrations.sum: one line per migration plus a first line hashing them all (Atlas's atlas.sum idea).
// Two branches that each add a migration both rewrite the first line and append after the same last line,
// so git reports a conflict at merge time instead of the clash surfacing at deploy time.
import * as fs from "node:fs";
import * as path from "node:path";
import { Migration, sha256 } from "./migration-file";

export const SUM_FILE = "migrations.sum";
const HEADER = "# Checksums of sql/*.sql (header + up section). Regenerate: npm run migrate -- sum";

export function renderSumFile(migrations: readonly Migration[]): string {
  const lines = migrations.map((m) => `${m.name} sha256:${m.checksum}`);
  return [HEADER, `total sha256:${sha256(lines.join("\n"))}`, ...lines, ""].join("\n");
}

/** Returns the problems (empty when the sum file matches the migrations). */
export function verifySumFile(content: string | undefined, migrations: readonly Migration[]): string[] {
  if (content === undefined)
    return [`sql/${SUM_FILE} is missing; create it with \`npm run migrate -- sum\`.`];
  const expected = renderSumFile(migrations);
  if (content.replace(/\r\n?/g, "\n") === expected) return [];
  const recorded = new Map(
    content
      .split(/\r?\n/)
      .map((line) => /^(\S+\.sql) sha256:([0-9a-f]{64})$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
  const problems: string[] = [];
  for (const m of migrations) {
    const sum = recorded.get(m.name);
    if (sum === undefined) problems.push(`${m.name} is not in sql/${SUM_FILE}`);
    else if (sum !== m.checksum)
      problems.push(`${m.name} has checksum ${m.checksum} but sql/${SUM_FILE} records ${sum}`);
    recorded.delete(m.name);
  }
  for (const name of recorded.keys()) problems.push(`sql/${SUM_FILE} lists ${name}, which does not exist`);
  if (problems.length === 0) problems.push(`sql/${SUM_FILE} is not in canonical form (total line or order)`);
  return problems.map((p) => `${p}. Run \`npm run migrate -- sum\` and commit the result.`);
}

/** Reads `dir`/migrations.sum (absent counts as a problem) and checks it against the migrations. */
export function sumFileProblems(dir: string, migrations: readonly Migration[]): string[] {
  const file = path.join(dir, SUM_FILE);
  return verifySumFile(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined, migrations);
}
