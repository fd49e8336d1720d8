// What a failed PostgreSQL restore tells the operator: a server that went away mid-restore
// used to surface as a bare `connect ECONNREFUSED` (the temporary login's cleanup failing, masking
// pg_restore's error), with no word on whether the old database survived or what to run next.
import type { Client } from "pg";

export interface RestoreProgress {
  /** preparing: creating the temporary login; loading: pg_restore's single transaction; loaded: committed. */
  phase: "preparing" | "loading" | "loaded";
  readonly database: string;
  readonly login: string;
  loginDropped: boolean;
  dropError?: Error;
}

const SERVER_GONE =
  /ECONNREFUSED|ECONNRESET|EPIPE|server closed the connection|terminating connection|Connection terminated|could not connect to server|connection to server .* failed|the database system is (shutting down|starting up|in recovery mode)/i;

async function serverReachable(read: <T>(work: (c: Client) => Promise<T>) => Promise<T>): Promise<boolean> {
  try {
    await read((c) => c.query("SELECT 1"));
    return true;
  } catch {
    return false;
  }
}

/** The error to report for `err`, said in terms of what happened to the database and what to run next. */
export async function explainFailure(
  err: Error,
  progress: RestoreProgress,
  read: <T>(work: (c: Client) => Promise<T>) => Promise<T>,
): Promise<Error> {
  const reachable = await serverReachable(read);
  const gone = !reachable || SERVER_GONE.test(err.message) || SERVER_GONE.test(String(progress.dropError));
  const login = progress.loginDropped
    ? ""
    : ` The temporary login ${progress.login} was left behind; the next restore or bootstrap (pulumi up) drops it.`;
  if (!gone) {
    if (progress.phase === "loaded" && progress.dropError)
      return new Error(`The restore of ${progress.database} finished, but${login}`, { cause: err });
    return err.message.includes(progress.login) || progress.loginDropped
      ? err
      : new Error(`${err.message}${login}`, { cause: err });
  }
  const state = {
    preparing: `nothing was loaded yet: ${progress.database} holds what it held before.`,
    loading:
      `pg_restore loads in one transaction, which did not commit: ${progress.database} holds what it held before ` +
      "(unless the server failed in the very instant of the commit).",
    loaded: `the data was loaded and committed before that.`,
  }[progress.phase];
  return new Error(
    `PostgreSQL went away during the restore of ${progress.database} (${err.message.split("\n")[0]}): ${state}${login} ` +
      `${reachable ? "It answers again now" : "When it answers again"}, run the same restore again.`,
    { cause: err },
  );
}
