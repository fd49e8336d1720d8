// Shared vocabulary of the ops CLI: a check's status and the process exit code it maps to.
export type Status = "healthy" | "degraded" | "down";

/** Documented exit codes: 0 healthy / done, 1 degraded, 2 down or failed, 3 usage error. */
export const EXIT = { ok: 0, degraded: 1, failed: 2, usage: 3 } as const;

export function worst(statuses: readonly Status[]): Status {
  if (statuses.includes("down")) return "down";
  if (statuses.includes("degraded")) return "degraded";
  return "healthy";
}

export function exitCodeOf(status: Status): number {
  return status === "healthy" ? EXIT.ok : status === "degraded" ? EXIT.degraded : EXIT.failed;
}
