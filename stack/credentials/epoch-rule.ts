// Epochs only move forward. A rotation epoch is the keepers of a generated password: any other value, lower
// included, generates a new password (it never brings an old one back), so lowering one cuts off the URL the
// app holds. A retired epoch that goes down makes a dropped Redis password valid again. Pure: the texts are
// tested without Pulumi, and the ConfigGuard (stack/config-guard.ts) applies them.
import type { GuardedKey } from "../config/guard-check";
import { DUAL_PASSWORD_CREDENTIALS } from "./slots";

const RUNBOOK = 'docs/runbooks.md "Rotate a secret"';

/** How a key's change reaches a client: two alternating passwords, a single one, or the retirement of one. */
export function epochKind(key: string): "alternating" | "single" | "retired" {
  if (key.endsWith("RetiredEpoch")) return "retired";
  const credential = key.replace(/PasswordEpoch$/, "");
  return (DUAL_PASSWORD_CREDENTIALS as readonly string[]).includes(credential) ? "alternating" : "single";
}

/** The refusal of a lower value; `{applied}` and `{value}` are filled in by the guard. */
export function epochRefusal(key: string): string {
  const fq = `offthegrid-database:${key}`;
  if (epochKind(key) === "retired") {
    const rotation = key.replace(/RetiredEpoch$/, "PasswordEpoch");
    return (
      `${fq} is {value}, below the applied {applied}: a retired epoch only moves forward (a lower one makes the ` +
      `retired Redis password valid again). Set it back to {applied}; for a fresh password raise ${rotation} ` +
      `by one (${RUNBOOK}).`
    );
  }
  return (
    `${fq} is {value}, below the applied {applied}: an epoch only moves forward (a lower one generates yet ` +
    `another password, and the URL the app holds stops working). Set it back to {applied}; for a fresh ` +
    `password raise it by one from {applied} (${RUNBOOK}).`
  );
}

export function epochGuards(epochs: Readonly<Record<string, number>>): Record<string, GuardedKey> {
  return Object.fromEntries(
    Object.entries(epochs).map(([key, value]) => [key, { value, refuseDecrease: epochRefusal(key) }]),
  );
}

/** What a raise cuts off, in one line (a decrease is refused before this is asked). */
export function epochConsequence(key: string, applied: number, value: number): string | undefined {
  if (value <= applied) return undefined;
  const head = `offthegrid-database:${key} ${applied} → ${value}:`;
  switch (epochKind(key)) {
    case "retired":
      return `${head} the previous password of that Redis user is refused from now on.`;
    case "single":
      if (key === "postgresAdminPasswordEpoch")
        return (
          `${head} the superuser's previous password is refused at once (dev: the PostgreSQL container is ` +
          "replaced, so every client reconnects once)."
        );
      if (key === "devToolsPasswordEpoch")
        return `${head} the pgAdmin and Redis Commander logins change (both containers are replaced).`;
      return `${head} the previous password is refused at once.`;
    case "alternating":
      // From 0, the slot that changes held no URL anyone was given.
      if (applied === 0 && value === 1) return undefined;
      return value - applied === 1
        ? `${head} the URL of epoch ${applied - 1} is refused from now on; the one of epoch ${applied} (the ` +
            "previous URL) keeps working until the next increase."
        : `${head} both logins get new passwords, so the URL the app holds (epoch ${applied}) is refused at ` +
            "once. Raise it by one per deployment to keep the previous URL working.";
  }
}
