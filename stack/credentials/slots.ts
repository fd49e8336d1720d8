// Alternating credential slots: the pure rule behind every zero-downtime rotation (Redis users' two
// passwords, PostgreSQL's two login roles per logical role).

export type Slot = "a" | "b";

/**
 * Credentials whose rotation keeps the previous password valid: Redis users hold two passwords at once, and
 * each PostgreSQL schema role has two login members (one per slot, see stack/credentials/roles.ts). The
 * superuser / RDS master is a single role and cannot alternate.
 */
export const DUAL_PASSWORD_CREDENTIALS = [
  "postgresOwner",
  "postgresApp",
  "postgresReadonly",
  "redisAdmin",
  "redisApp",
] as const;

/**
 * Two slots per alternating credential. Each epoch regenerates exactly one slot, the one that becomes
 * current; the other still holds the previous password: epoch 1 → slot a new, b previous; epoch 2 → b new, a
 * previous; …
 */
export function slotGenerations(epoch: number): { current: Slot; a: number; b: number } {
  return { current: epoch % 2 === 1 ? "a" : "b", a: Math.floor((epoch + 1) / 2), b: Math.floor(epoch / 2) };
}

export function otherSlot(slot: Slot): Slot {
  return slot === "a" ? "b" : "a";
}
