// `restore` of a PostgreSQL dump: checked against the target's stack marker before anything is dropped, and the
// marker is left exactly as it was (dumps exclude it, restore lists skip it, and the admin owns it).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Client, ClientConfig } from "pg";
import { Client as PgClient } from "pg";
import { Confirmation, StackMarker, confirmDestructive, describeMarker, readMarker } from "./guards";
import { pgRestore } from "./postgres-backup";

export interface RestoreOptions {
  /** --force: replace the objects of a non-empty database. */
  readonly force: boolean;
  /** --database NAME: required for any target not marked dev (and for an unmarked non-empty one). */
  readonly database?: string;
}

async function tablesInPublic(client: Client): Promise<number> {
  const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
  return rows[0].n;
}

/** What must hold before a restore may touch the target; throws the reason otherwise. */
export async function checkRestoreTarget(
  client: Client,
  options: RestoreOptions,
): Promise<StackMarker | undefined> {
  const tables = await tablesInPublic(client);
  const marker = await readMarker(client);
  const database: string = (await client.query("SELECT current_database() AS d")).rows[0].d;
  if (tables > 0 && !options.force)
    throw new Error(
      `Refusing to restore into a non-empty database (${tables} tables in public); pass --force to replace them.`,
    );
  const confirmation: Confirmation = { yes: true, database: options.database };
  // An empty dev or fresh (unmarked, empty) database takes a restore as before; anything else is named explicitly.
  if (marker?.environment === "dev" || (!marker && tables === 0)) {
    if (options.database !== undefined) await confirmDestructive(client, "restore", confirmation);
    return marker;
  }
  if (options.database === undefined)
    throw new Error(
      `Refusing to restore into database ${database}: it is ${describeMarker(marker)}${tables > 0 ? ` and holds ${tables} tables` : ""}. ` +
        `To replace its contents anyway, name it: --database ${database}.`,
    );
  return confirmDestructive(client, "restore", confirmation);
}

export async function restorePostgres(
  adminUrl: string,
  file: string,
  options: RestoreOptions,
): Promise<{ marker?: StackMarker }> {
  const config: ClientConfig = { connectionString: adminUrl, application_name: "offthegrid-ops" };
  const read = async <T>(work: (c: Client) => Promise<T>): Promise<T> => {
    const client = new PgClient(config);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const { marker, tables } = await read(async (c) => ({
    marker: await checkRestoreTarget(c, options),
    tables: await tablesInPublic(c),
  }));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-restore-"));
  try {
    await pgRestore(adminUrl, file, { clean: tables > 0, listFile: path.join(work, "restore.list") });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const after = await read(readMarker);
  if (JSON.stringify(after) !== JSON.stringify(marker))
    throw new Error(
      `The restore changed the stack marker (${describeMarker(marker)} → ${describeMarker(after)}): check the dump's origin and rerun the stack's bootstrap (pulumi up).`,
    );
  return { marker };
}
