// Files marked -- migrate:no-transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE … ADD VALUE) run one
// statement per query in autocommit, with progress in the history row so that a rerun resumes after the last
// finished statement. Before each statement the row says "statement N is running"; if the run dies there, the
// next run cannot know whether the server finished it, so it decides from the catalog (indexes) or from the
// statement's form (IF NOT EXISTS, CREATE OR REPLACE, VACUUM …), and otherwise refuses with the exact state
// and the fix.
import type { Client } from "pg";
import { createHash, Hash } from "node:crypto";
import { othersBuilding } from "./concurrent-leftovers";
import { RUNNING_MARK } from "./history";
import { Migration, sha256 } from "./migration-file";
import type { Statement } from "./sql-statements";
import { TableName, literal, qualified } from "./sql-text";

/** Checksum of the first `count` statements: sha256 of their texts joined by "\n;\n" (stable since v1). */
export class PrefixHasher {
  private readonly hash: Hash = createHash("sha256");
  private count = 0;

  constructor(private readonly statements: readonly Statement[]) {}

  /** Advances to `count` statements (never backwards) and returns the checksum; linear over a whole file. */
  at(count: number): string {
    if (count < this.count) throw new Error("PrefixHasher.at must not go backwards");
    for (; this.count < count; this.count++) {
      this.hash.update(this.count === 0 ? "" : "\n;\n", "utf8");
      this.hash.update(this.statements[this.count].text, "utf8");
    }
    return this.count === 0 ? sha256("") : this.hash.copy().digest("hex");
  }
}

export class MigrationResumeError extends Error {
  override readonly name = "MigrationResumeError";
}

const CREATE_INDEX =
  /^create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?((?:"(?:[^"]|"")+"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w$]+))?)\s+on\b/i;
const IDEMPOTENT = [
  /^(create|drop)\b[\s\S]*?\bif\s+(not\s+)?exists\b/i,
  /^alter\s+type\b[\s\S]*\badd\s+value\s+if\s+not\s+exists\b/i,
  /^create\s+or\s+replace\b/i,
  /^(vacuum|analyze|reindex|refresh\s+materialized\s+view|cluster)\b/i,
];

/** The index a CREATE INDEX statement builds, as written (schema-qualified and quoted as in the file). */
export function indexCreatedBy(statement: Statement): string | undefined {
  return CREATE_INDEX.exec(statement.text)?.[1];
}

export function isIdempotent(statement: Statement): boolean {
  return IDEMPOTENT.some((re) => re.test(statement.text));
}

/** true: valid; false: present but INVALID (an interrupted or failed concurrent build); undefined: absent. */
export async function indexState(client: Client, name: string): Promise<boolean | undefined> {
  const { rows } = await client.query(
    "SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass($1)",
    [name],
  );
  return rows[0]?.valid;
}

export type Resolution = "done" | "rerun";

/** Decides what to do with a statement that was running when an earlier run died. */
export async function resolveInFlight(
  client: Client,
  history: TableName,
  m: Migration,
  index: number,
  hasher: (count: number) => string,
): Promise<Resolution> {
  const statement = m.upStatements[index];
  const indexName = indexCreatedBy(statement);
  if (indexName) {
    const valid = await indexState(client, indexName);
    return valid === true ? "done" : "rerun"; // an INVALID one is dropped before the rerun
  }
  if (isIdempotent(statement)) return "rerun";
  const table = qualified(history);
  const record = (done: number) =>
    `UPDATE ${table} SET statements_done = ${done}, prefix_checksum = ${literal(hasher(done))} WHERE version = ${m.version};`;
  throw new MigrationResumeError(
    `Cannot resume ${m.name} safely: an earlier run stopped while statement ${index + 1} of ${m.upStatements.length} ` +
      `(line ${statement.line}) was running, and the runner cannot tell whether the server finished it:\n` +
      `  ${statement.text.split(/\r?\n|\r/)[0]}\n` +
      `Statements 1-${index} are applied and recorded. Check the database, then record what happened:\n` +
      `  it finished:      ${record(index + 1)}\n` +
      `  it did not run:   ${record(index)}\n` +
      "and rerun `migrate up`. (Writing the statement in an idempotent form, e.g. IF NOT EXISTS, lets the runner " +
      "decide by itself.)",
  );
}

/**
 * Runs before a CREATE INDEX of a no-transaction file. An INVALID index of the name it builds is dropped only
 * when the history row says this very statement was running when an earlier run stopped (so that run built
 * it) and no session is building an index now; any other INVALID index of that name was there before this
 * statement, and is never dropped by the runner: the run stops and names it.
 */
export async function checkIndexName(
  client: Client,
  m: Migration,
  index: number,
  inFlight: boolean,
  notify: (message: string) => void,
): Promise<void> {
  const statement = m.upStatements[index];
  const name = indexCreatedBy(statement);
  if (!name || (await indexState(client, name)) !== false) return;
  if (inFlight && !(await othersBuilding(client))) {
    notify(
      `index ${name} is INVALID (left by an interrupted or failed build); dropping it to build it again`,
    );
    // Its waits block no one (see waitsWithoutBlocking); the statement timeout bounds it.
    await client.query("SET lock_timeout = 0");
    await client.query(`DROP INDEX CONCURRENTLY ${name}`);
    return;
  }
  throw new MigrationResumeError(
    `${m.name}: statement ${index + 1} (line ${statement.line}) builds index ${name}, which already exists and is ` +
      "INVALID. This run did not create it (a failed build from elsewhere, one an earlier run could not drop, or a " +
      "build still in progress), so the runner does not drop it. Check pg_stat_progress_create_index for a build " +
      `in progress; if there is none, run DROP INDEX CONCURRENTLY IF EXISTS ${name}; and rerun \`migrate up\`.`,
  );
}

/** After the last statement: every index the file creates must be valid, or the file is not applied. */
export async function invalidIndexes(client: Client, m: Migration): Promise<string[]> {
  const names = m.upStatements.map(indexCreatedBy).filter((n): n is string => n !== undefined);
  const invalid: string[] = [];
  for (const name of names) if ((await indexState(client, name)) === false) invalid.push(name);
  return invalid;
}

export { RUNNING_MARK };
