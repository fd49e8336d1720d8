// How the harness's clients react to an outage. Two profiles:
// - strict (the default, the figures docs/benchmarks.md quotes): every connection error fails its request at
//   once, nothing is ever resent. It shows when a store is unavailable, request by request.
// - app: what the Off the Grid API should run. A request waits out an outage (bounded by a deadline) and is
//   sent again only when that cannot apply it twice. redis-server answers nothing to the commands of its last
//   event loop turn when it stops (SIGTERM included: it saves, closes and exits without writing pending
//   replies), so a command in flight when the connection drops may or may not have been executed. ioredis's
//   defaults resend it (autoResendUnfulfilledCommands) and its offline queue sends a command even after
//   commandTimeout rejected it: measured here, both count an INCR twice. So: resend a command the server
//   cannot have read; resend one in flight only if running it twice changes nothing (reads, SET of a unique
//   value, SADD/ZADD of a unique member, HSET); for the rest ask the restarted server whether it was applied
//   (see Safety).
import type { RedisOptions } from "ioredis";

export type ClientProfile = "strict" | "app";
export const CLIENT_PROFILES: readonly ClientProfile[] = ["strict", "app"];

/** How long a request of the app profile waits out an outage, in all, before it fails. */
export const APP_DEADLINE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * What resending a Redis request risks, as its operation declares it.
 * - "idempotent": running it twice leaves the same state (reads, SET of a unique value, SADD/ZADD/HSET):
 *   resend.
 * - { applied }: not idempotent (INCR, LPUSH). Resent only after `applied`, asked over a connection opened
 *   after the one that dropped (so the old one can no longer execute anything), says it was not applied.
 * - "once": neither; resent only when the server cannot have read it.
 */
export type Safety<C> = "idempotent" | "once" | { readonly applied: (client: C) => Promise<boolean> };

/** The ioredis options of each profile. */
export function redisOptions(profile: ClientProfile): RedisOptions {
  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: REQUEST_TIMEOUT_MS,
    connectionName: "offthegrid-traffic",
  };
  if (profile === "strict")
    return {
      ...common,
      // The pool decides about reconnecting, not ioredis: a broken connection fails its request and is
      // dropped.
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
    };
  return {
    ...common,
    // Reconnect by itself: 50, 100, 200 … ms, at most 1 s apart.
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** (attempt - 1), 1_000),
    // A command in flight when the connection drops is rejected at once (MaxRetriesPerRequestError), never
    // resent by ioredis: the request decides (requestWithRetry).
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // No ioredis offline queue: a queued command whose commandTimeout fired is still sent once the connection
    // is back (ioredis keeps it queued), i.e. applied after the app was told it failed. The request waits for
    // 'ready' itself, bounded by its deadline, and sends nothing after it.
    enableOfflineQueue: false,
  };
}

/**
 * What a Redis error says about the command:
 * - "unsent": the server cannot have read it (no writable connection, refused, LOADING before executing);
 * - "in-flight": written, and the connection dropped before the reply: executed or not, nobody can tell;
 * - "timeout": no reply within commandTimeout on a connection still open: it may still be executed later;
 * - "answer": the server replied with an error (NOPERM, WRONGPASS, WRONGTYPE…): resending changes nothing.
 */
export type RedisFailure = "unsent" | "in-flight" | "timeout" | "answer";

export function classifyRedisError(err: unknown): RedisFailure {
  const e = err as { name?: unknown; message?: unknown; code?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(err);
  if (/^Stream isn't writeable/.test(message) || /^LOADING\b/.test(message)) return "unsent";
  if (typeof e?.code === "string" && /^(ECONNREFUSED|ENOENT|EHOSTUNREACH|ENETUNREACH)$/.test(e.code))
    return "unsent";
  if (message === "Command timed out") return "timeout";
  if (
    e?.name === "MaxRetriesPerRequestError" ||
    /^Reached the max retries per request limit/.test(message) ||
    /^Command aborted due to connection close/.test(message) ||
    message === "Connection is closed." ||
    (typeof e?.code === "string" && /^(ECONNRESET|EPIPE|ETIMEDOUT)$/.test(e.code))
  )
    return "in-flight";
  return "answer";
}

/** Whether a request may be sent again after `failure` (the `applied` check aside). */
export function mayResend<C>(failure: RedisFailure, safety: Safety<C>): boolean {
  if (failure === "unsent") return true;
  if (failure === "answer") return false;
  // A timed-out command may still run later: only an idempotent one may be sent beside it.
  return safety === "idempotent";
}
