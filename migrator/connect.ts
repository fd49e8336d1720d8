// Waiting for a database that may still be starting (a fresh dev container, an RDS instance just created).
import { Client, ClientConfig } from "pg";

/**
 * Errors that mean "not accepting connections yet", as opposed to "you may not connect". An array, not a Set:
 * Pulumi's closure serializer turns a captured Set into a plain object, and `.has` then throws in the host.
 */
const TRANSIENT_CODES = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "57P03",
];

function isTransientConnectError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return (
    (code !== undefined && TRANSIENT_CODES.includes(code)) ||
    /Connection terminated unexpectedly|timeout expired/i.test((err as Error).message ?? "")
  );
}

/**
 * A name that does not resolve is almost always a typo, not a server still starting: retry it only briefly
 * (DNS for a just-created endpoint can lag a few seconds), instead of for the whole deadline.
 */
const NOT_FOUND_BUDGET_MS = 5_000;

/** host:port as the connection really targets it (a URL's host, not "localhost"), for error messages. */
export function connectionTarget(config: ClientConfig): string {
  if (config.connectionString) {
    try {
      const u = new URL(config.connectionString);
      return `${decodeURIComponent(u.hostname) || "localhost"}:${u.port || 5432}`;
    } catch {
      // Not a URL (a libpq key=value string): fall through to the explicit fields.
    }
  }
  return `${config.host ?? "localhost"}:${config.port ?? 5432}`;
}

export class DatabaseUnavailable extends Error {
  override readonly name = "DatabaseUnavailable";
  constructor(where: string, waitedMs: number, cause: unknown) {
    super(
      `PostgreSQL at ${where} did not accept connections within ${Math.round(waitedMs / 1000)} s: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/**
 * One failed attempt, reported before the wait for the next: the caller says so (a silent wait looks stuck).
 */
export interface ConnectRetry {
  readonly target: string;
  readonly attempt: number;
  /** Attempts the deadline allows at this backoff (an estimate: a slow attempt uses some of it). */
  readonly of: number;
  readonly delayMs: number;
  /** When it gives up (epoch ms). */
  readonly deadline: number;
  readonly reason: string;
}

export interface ConnectOptions {
  readonly deadlineMs: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly onRetry?: (retry: ConnectRetry) => void;
}

/** How many attempts fit in `deadlineMs` when the waits between them double from `initial` up to `max`. */
export function plannedAttempts(deadlineMs: number, initialDelayMs = 200, maxDelayMs = 5_000): number {
  let attempts = 1;
  for (
    let spent = 0, delay = initialDelayMs;
    spent + delay <= deadlineMs;
    delay = Math.min(delay * 2, maxDelayMs)
  ) {
    spent += delay;
    attempts++;
  }
  return attempts;
}

/**
 * Connects, retrying transient failures with backoff until the deadline; authentication errors fail at once.
 * No single attempt outlives the deadline (a host that drops packets would otherwise hold one attempt for 10
 * s).
 */
export async function connectWithRetry(config: ClientConfig, options: ConnectOptions): Promise<Client> {
  const started = Date.now();
  const initial = options.initialDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5_000;
  let delay = initial;
  for (let attempt = 1; ; attempt++) {
    const remaining = options.deadlineMs - (Date.now() - started);
    const client = new Client({
      connectionTimeoutMillis: Math.min(10_000, Math.max(1_000, remaining)),
      ...config,
    });
    // The server ending an idle session (a crash restart, a terminate) arrives as an 'error' event; with no
    // listener Node throws it out of the event loop. It surfaces at the session's next query instead.
    client.on("error", () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      const waited = Date.now() - started;
      if (!isTransientConnectError(err)) throw err;
      const notFound = (err as { code?: string }).code === "ENOTFOUND";
      const deadline = notFound ? Math.min(options.deadlineMs, NOT_FOUND_BUDGET_MS) : options.deadlineMs;
      if (waited + delay > deadline) {
        throw new DatabaseUnavailable(connectionTarget(config), waited, err);
      }
      options.onRetry?.({
        target: connectionTarget(config),
        attempt,
        of: Math.max(attempt + 1, plannedAttempts(deadline, initial, max)),
        delayMs: delay,
        deadline: started + deadline,
        reason: (err as { code?: string }).code ?? (err as Error).message,
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, max);
    }
  }
}
