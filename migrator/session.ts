// The two sessions of a run: the work session that executes migrations, and the lock session that holds the
// advisory lock. If the lock session dies (an operator ran pg_terminate_backend on it, the network dropped),
// the lock is free for a second migrator while ours would keep going: the watch cancels the work session at
// once.
import type { Client } from "pg";

export class MigrationLockLost extends Error {
  override readonly name = "MigrationLockLost";
  constructor(
    readonly lockPid: number | undefined,
    readonly during: string | undefined,
    cause?: unknown,
  ) {
    super(
      `The migration lock was lost: its session (backend pid ${lockPid ?? "?"}) ended` +
        `${cause instanceof Error ? ` (${cause.message})` : ""}${during ? ` while ${during} was running` : ""}. ` +
        "The work session was cancelled so that no second migrator can run beside it. Check what the history " +
        "table records (`migrate status`), then rerun `migrate up`.",
      { cause },
    );
  }
}

/** Watches the lock session; `lost` is set (and `onLost` called once) when it errors or ends unexpectedly. */
export class LockWatch {
  lost: MigrationLockLost | undefined;
  private closing = false;
  during: string | undefined;

  constructor(
    private readonly lockClient: Client,
    private readonly onLost: (error: MigrationLockLost) => void,
  ) {
    const pid = (lockClient as unknown as { processID?: number }).processID;
    const fire = (cause?: unknown) => {
      if (this.closing || this.lost) return;
      this.lost = new MigrationLockLost(pid, this.during, cause);
      this.onLost(this.lost);
    };
    lockClient.on("error", fire);
    lockClient.on("end", () => fire());
  }

  /** Throws if the lock is gone: called before every round trip of the work session. */
  check(): void {
    if (this.lost) throw this.lost;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.lockClient.end().catch(() => undefined);
  }
}

interface ClientInternals {
  processID: number;
  secretKey: number;
  host: string;
  port: number;
  ssl: unknown;
  connection: { stream: { destroy(): void } };
}

/**
 * Cancels whatever the work session is running with a protocol CancelRequest (a fresh socket, no login), and
 * destroys the session if it is still busy after `graceMs`. The server also ends a backend whose client went
 * away within client_connection_check_interval, which every work session sets at login.
 */
export function cancelSession(client: Client, graceMs = 2_000): void {
  const c = client as unknown as ClientInternals;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Connection } = require("pg") as { Connection: new (config: object) => CancelConnection };
  const con = new Connection({ ssl: c.ssl });
  const send = () => con.cancel(c.processID, c.secretKey);
  con.on("connect", () => (c.ssl ? con.requestSsl() : send()));
  con.on("sslconnect", send);
  con.on("error", () => undefined);
  con.connect(c.port, c.host);
  const timer = setTimeout(() => {
    con.stream.destroy();
    c.connection.stream.destroy();
  }, graceMs);
  timer.unref();
  client.once("end", () => clearTimeout(timer));
}

interface CancelConnection {
  on(event: string, listener: (...args: unknown[]) => void): void;
  connect(port: number, host: string): void;
  requestSsl(): void;
  cancel(processID: number, secretKey: number): void;
  stream: { destroy(): void };
}

/** Startup options for the work session: the server notices a vanished client within a second. */
export function workSessionOptions(existing: string | undefined): string {
  return [existing, "-c client_connection_check_interval=1000"].filter(Boolean).join(" ");
}
