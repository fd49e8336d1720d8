// The runner's option, event and result types, and what one run carries (client, lock watch, settings):
// shared by runner.ts, run-files.ts and apply-no-transaction.ts, so none of them imports another for its
// types.
import type { Client } from "pg";
import type { ConnectRetry } from "./connect";
import type { LockWait } from "./lock";
import { LINT_BASELINE } from "./lint/rules";
import type { LockWatch } from "./session";
import type { MigrationSource } from "./sources";
import type { Statement } from "./sql-statements";
import { TableName } from "./sql-text";

export interface RunnerOptions {
  /** Connection as the schema owner. */
  readonly connection: import("pg").ClientConfig;
  readonly migrations: readonly MigrationSource[];
  readonly history?: TableName;
  /** Per-migration defaults; a file can override them with -- migrate:lock-timeout / statement-timeout. */
  readonly lockTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  /**
   * Retries of a file (or statement) that hit lock_timeout, with jittered doubling backoff (lock-retry.ts).
   */
  readonly lockRetries?: number;
  readonly lockRetryDelayMs?: number;
  /** The longest backoff between two retries. */
  readonly lockRetryMaxDelayMs?: number;
  /** How long to poll for the advisory lock held by another migrator. */
  readonly lockDeadlineMs?: number;
  /** How long to wait for the database to accept connections. */
  readonly connectDeadlineMs?: number;
  /** Files numbered up to this are not linted (default LINT_BASELINE: the files shipped before the lint). */
  readonly lintBaseline?: number;
  readonly onEvent?: (event: MigrationEvent) => void;
  /**
   * For a connection that is not the owner's (the ops CLI's admin): the role the history table must belong
   * to. Status then reads it only after checking it is that role's plain table (history-relation.ts).
   */
  readonly historyOwner?: string;
  /**
   * Refuse a login with admin rights (migrator/admin-session.ts isAdminLogin) before anything runs: the files
   * are the owner's code. The value names the login to use instead, for the message. The CLIs and the
   * provider set it.
   */
  readonly refuseAdminLogin?: string;
}

/**
 * While a statement waits for its lock, every app query on that table queues behind it: the wait is bounded
 * by lock_timeout, so it is short, and a busy table is retried many times with jittered backoff instead
 * (measured in testbed/bench/migrations-under-traffic.ts, docs/benchmarks.md). Worst case ~40 × (200 ms + ≤ 5
 * s) before giving up.
 */
export const RUNNER_DEFAULTS = {
  lockTimeoutMs: 200,
  statementTimeoutMs: 10 * 60_000,
  lockRetries: 40,
  lockRetryDelayMs: 100,
  lockRetryMaxDelayMs: 5_000,
  lintBaseline: LINT_BASELINE,
  lockDeadlineMs: 60_000,
  connectDeadlineMs: 60_000,
} as const;

export type MigrationEvent =
  | { type: "start"; name: string; direction: "up" | "down" }
  | { type: "done"; name: string; direction: "up" | "down"; durationMs: number }
  | { type: "retry"; name: string; attempt: number; delayMs: number; reason: string }
  | ({ type: "connect-retry" } & ConnectRetry)
  | ({ type: "lock-wait" } & LockWait)
  | { type: "notice"; name: string; message: string }
  | { type: "failed"; name: string; direction: "up" | "down"; error: Error };

export interface MigrationResult {
  readonly name: string;
  readonly direction: "up" | "down";
  readonly status: "success" | "error" | "not-executed";
  readonly durationMs?: number;
}

/**
 * What `migrateUp` and `migrateDown` report instead of throwing (kysely's MigrationResultSet): a result for
 * every planned migration, so partial progress is always exact, and why the run stopped.
 */
export interface MigrationResultSet {
  /**
   * Undefined when every planned migration succeeded. Else a refusal before anything ran (results empty: a
   * bad file, a plan or lint refusal, no lock, no database), or the failure of the result whose status is
   * "error" (or a lost lock), after which the rest are "not-executed".
   */
  readonly error?: Error;
  /** One per planned migration, in order; empty when nothing was pending or nothing was planned. */
  readonly results: readonly MigrationResult[];
}

export interface Settings extends Required<
  Omit<
    RunnerOptions,
    "onEvent" | "history" | "migrations" | "connection" | "historyOwner" | "refuseAdminLogin"
  >
> {
  readonly history: TableName;
  readonly onEvent: (event: MigrationEvent) => void;
}

export interface Run {
  readonly client: Client;
  readonly watch: LockWatch;
  readonly settings: Settings;
  /** A fresh session on the same database, for reading what a dead session left (in-flight.ts). */
  readonly reconnect: () => Promise<Client>;
}

export interface Located {
  readonly statement?: Statement;
  readonly line?: number;
  readonly guard?: boolean;
  /** What state the file is left in, when the runner knows better than "rolled back". */
  readonly state?: string;
  /** The session died mid-batch and `state` comes from the history read afterwards (in-flight.ts). */
  readonly inFlight?: boolean;
}
