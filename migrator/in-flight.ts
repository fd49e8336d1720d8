// When the connection dies mid-batch, the CommandComplete count says less than what happened: the server
// buffers its replies until the end of the message (or a full buffer), so files it had committed may never
// have been reported. The history table commits with each file, so it, not the count, says which files
// committed.
import type { Client } from "pg";
import type { Unit } from "./batch";
import { readHistory } from "./history";
import type { TableName } from "./sql-text";

export type InFlight =
  /**
   * `committed` units (from the first in flight) are in the history; `running` is the one that was cut off.
   */
  | { readonly known: true; readonly committed: number }
  /** The database could not be asked: whether the in-flight files committed is unknown. */
  | { readonly known: false; readonly reason: string };

/** Reads the history on a fresh session and counts the in-flight units (in order) whose change it holds. */
export async function settleInFlight(
  units: readonly Unit[],
  history: TableName,
  reconnect: () => Promise<Client>,
): Promise<InFlight> {
  let client: Client;
  try {
    client = await reconnect();
  } catch (err) {
    return { known: false, reason: (err as Error).message };
  }
  try {
    const rows = await readHistory(client, history);
    return {
      known: true,
      committed: committedPrefix(units, new Map(rows.map((r) => [r.version, r.checksum]))),
    };
  } catch (err) {
    return { known: false, reason: (err as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Units whose history change is in place, counted from the first until one is not: files commit in order. */
export function committedPrefix(units: readonly Unit[], applied: ReadonlyMap<number, string>): number {
  let n = 0;
  for (const u of units) {
    const row = applied.get(u.migration.version);
    const done = u.direction === "up" ? row === u.migration.checksum : row === undefined;
    if (!done) break;
    n++;
  }
  return n;
}

/** The file's state for the error message. */
export function inFlightState(settled: InFlight, name: string, later: readonly string[]): string {
  if (!settled.known)
    return (
      `The server had not confirmed ${name} or the files after it when the connection died, and the database ` +
      `could not be asked afterwards (${settled.reason}): each of them either committed with its history row or ` +
      "left nothing. `migrate status` tells which once the database is back; then rerun."
    );
  return (
    "Nothing from this file was applied: the history table (read after the connection died) does not hold it" +
    `${later.length ? `, nor ${later.join(", ")}` : ""}. Rerun when the database is back.`
  );
}
