// Shared vocabulary of the ops CLI: a check's status and the process exit code it maps to.
import { EXIT } from "../shared/program";

export type Status = "healthy" | "degraded" | "down";

export function worst(statuses: readonly Status[]): Status {
  if (statuses.includes("down")) return "down";
  if (statuses.includes("degraded")) return "degraded";
  return "healthy";
}

export function exitCodeOf(status: Status): number {
  return status === "healthy" ? EXIT.ok : status === "degraded" ? EXIT.degraded : EXIT.failed;
}
