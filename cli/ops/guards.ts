// Guards for commands that destroy data (`migrate down`, `restore`, `reset`). A loopback address proves
// nothing (a tunnel to prod is loopback too), so they trust the stack marker the bootstrap writes, in a
// schema only the admin can change, plus an explicit confirmation from the operator.
import type { Client, ClientConfig } from "pg";
import { pgClient } from "../shared/pg-client";
import { MARKER_SCHEMA, MARKER_TABLE } from "../../migrator/bootstrap";
import { adminConnection, ensurePinned } from "../../migrator/admin-session";

export interface StackMarker {
  readonly environment: string;
  readonly stack: string;
}

/** The marker, or undefined when the database has none (or this role may not read it). */
export async function readMarker(client: Client): Promise<StackMarker | undefined> {
  try {
    const { rows } = await client.query(`SELECT environment, stack FROM ${MARKER_SCHEMA}.${MARKER_TABLE}`);
    return rows[0];
  } catch {
    return undefined;
  }
}

export interface Confirmation {
  /** --yes: enough on a database marked `dev`. */
  readonly yes: boolean;
  /** --database NAME: names the target explicitly; required anywhere else, and must match. */
  readonly database?: string;
}

export const describeMarker = (marker: StackMarker | undefined): string =>
  marker
    ? `marked environment "${marker.environment}" (stack ${marker.stack})`
    : `not marked by any stack (no ${MARKER_SCHEMA}.${MARKER_TABLE})`;

/**
 * Refuses `action` unless the database is marked dev and --yes was given, or --database names it exactly.
 * Returns the marker so the caller can check it was not changed by the action.
 */
export async function confirmDestructive(
  client: Client,
  action: string,
  confirmation: Confirmation,
): Promise<StackMarker | undefined> {
  const marker = await readMarker(client);
  const database: string = (await client.query("SELECT current_database() AS d")).rows[0].d;
  if (confirmation.database !== undefined) {
    if (confirmation.database !== database)
      throw new Error(
        `Refusing to ${action}: --database ${confirmation.database} does not match the database this URL reaches (${database}).`,
      );
    return marker;
  }
  if (marker?.environment === "dev" && confirmation.yes) return marker;
  throw new Error(
    marker?.environment === "dev"
      ? `Refusing to ${action} on dev stack ${marker.stack} without --yes (or --database ${database}).`
      : `Refusing to ${action}: database ${database} is ${describeMarker(marker)}. ` +
          `Only databases marked dev accept --yes; to go ahead anyway, name the database: --database ${database}.`,
  );
}

/** confirmDestructive over a connection of its own (the CLIs hold a URL, not a client). */
export async function confirmDestructiveAt(
  config: ClientConfig,
  action: string,
  confirmation: Confirmation,
): Promise<StackMarker | undefined> {
  const client = pgClient(adminConnection({ application_name: "offthegrid-guard", ...config }));
  await client.connect();
  try {
    await ensurePinned(client);
    return await confirmDestructive(client, action, confirmation);
  } finally {
    await client.end().catch(() => undefined);
  }
}
