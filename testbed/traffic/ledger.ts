// Every write the stores acknowledged, and what must therefore still be readable at the end. Pure: the
// workload records writes here, `expectations()` turns them into reads to make, and `judge()` compares what
// those reads returned; the I/O between the two lives in verify.ts.
import type { Store } from "./stats";

/**
 * What one acknowledged write left behind, as the verifier reads it back.
 * - `row`: a row found by `key` in `probe` (e.g. a session by token hash) must exist.
 * - `flag`: the row's flag named by the probe (grid active, session revoked) must be true.
 * - `count`: a counter (login_count, attempts, INCR) raised by one per write: at least the acknowledged
 *   count, and at most that plus the increments sent without an acknowledgement (each may or may not have
 *   been applied). More than that is an increment applied twice: a client resent one the server had already
 *   executed.
 * - `value`: a Redis string overwritten by later writes: the last acknowledged value, or one sent after it
 *   whose reply was lost (the server may have applied it).
 * - `member`: a set member or list element must be present (for lists: the last acknowledged one per key, as
 *   older ones are trimmed by design).
 */
export type Check = "row" | "flag" | "count" | "value" | "member";

export interface WriteRecord {
  /** Unique per write: the tag in the data (wallet, token hash, grid identity, Redis value/member). */
  readonly id: string;
  readonly store: Store;
  /** Which read verifies it, e.g. "user_sessions.token_hash" or "redis.get": verify.ts knows each probe. */
  readonly probe: string;
  readonly check: Check;
  /** Row key or Redis key. */
  readonly key: string;
  /** The value written (value, member checks). */
  readonly value?: string;
  /** Epoch ms of the acknowledgement. */
  readonly at: number;
  /** The key expires by design this long after the write: not expected after that. */
  readonly ttlMs?: number;
}

export interface Expectation {
  readonly store: Store;
  readonly probe: string;
  readonly check: Check;
  readonly key: string;
  /** count: the minimum; value: accepted values; member: the member. */
  readonly atLeast?: number;
  /**
   * count: the maximum (acknowledged + unacknowledged increments); above it, an increment was applied twice.
   */
  readonly atMost?: number;
  readonly accepted?: readonly string[];
  readonly member?: string;
  /** The acknowledged writes this expectation stands for. */
  readonly writes: readonly string[];
}

/** One probe's answer: a row/key's value (null when absent), or for members whether it is present. */
export type Observation = string | number | boolean | null;

export interface LostWrite {
  readonly store: Store;
  readonly probe: string;
  readonly key: string;
  readonly expected: string;
  readonly observed: string;
  /** How many acknowledged writes this accounts for. */
  readonly lost: number;
  readonly sample: readonly string[];
}

/** A counter above every increment the harness sent: some increment was applied more than once. */
export interface DuplicateWrite {
  readonly store: Store;
  readonly probe: string;
  readonly key: string;
  readonly expected: string;
  readonly observed: string;
  /** Increments beyond the most the harness could have caused. */
  readonly duplicated: number;
}

/**
 * Time a key with a TTL must still have left at verification for it to be checked (clock jitter, the check).
 */
export const TTL_MARGIN_MS = 5_000;

export class Ledger {
  private readonly acked: WriteRecord[] = [];
  /** Values sent to an overwritten key without an acknowledgement, after its last acknowledged one. */
  private readonly inDoubt = new Map<string, string[]>();
  /** Increments sent without an acknowledgement, per counter (store, probe, key). */
  private readonly inDoubtCounts = new Map<string, number>();

  /** Records an acknowledged write. */
  ack(write: WriteRecord): void {
    this.acked.push(write);
    if (write.check === "value") this.inDoubt.delete(write.key);
  }

  /**
   * A value write that failed or timed out: it may still have been applied, so it is an accepted end state.
   */
  unacknowledged(key: string, value: string): void {
    const list = this.inDoubt.get(key) ?? [];
    list.push(value);
    this.inDoubt.set(key, list);
  }

  /**
   * A counter increment that failed or timed out: it may have been applied (once), so the counter may exceed.
   */
  unacknowledgedIncrement(store: Store, probe: string, key: string): void {
    const k = counterKey(store, probe, key);
    this.inDoubtCounts.set(k, (this.inDoubtCounts.get(k) ?? 0) + 1);
  }

  get size(): number {
    return this.acked.length;
  }

  records(): readonly WriteRecord[] {
    return this.acked;
  }

  /** For a ledger saved with toJSON and verified by another process (after `destroy` + `up`, say). */
  static fromJSON(json: {
    acked: WriteRecord[];
    inDoubt: [string, string[]][];
    inDoubtCounts?: [string, number][];
  }): Ledger {
    const ledger = new Ledger();
    ledger.acked.push(...json.acked);
    for (const [k, v] of json.inDoubt) ledger.inDoubt.set(k, [...v]);
    for (const [k, n] of json.inDoubtCounts ?? []) ledger.inDoubtCounts.set(k, n);
    return ledger;
  }

  toJSON(): { acked: WriteRecord[]; inDoubt: [string, string[]][]; inDoubtCounts: [string, number][] } {
    return { acked: this.acked, inDoubt: [...this.inDoubt], inDoubtCounts: [...this.inDoubtCounts] };
  }

  /** The reads that prove every acknowledged write is still there, as of `now`. */
  expectations(now: number): Expectation[] {
    const groups = new Map<string, WriteRecord[]>();
    // A counter whose early increments are past their TTL while the key lives on (each INCR renews the
    // EXPIRE) holds more than the expected writes: no upper bound for it.
    const partial = new Set<string>();
    for (const w of this.acked) {
      if (w.ttlMs !== undefined && w.at + w.ttlMs < now + TTL_MARGIN_MS) {
        if (w.check === "count") partial.add(counterKey(w.store, w.probe, w.key));
        continue;
      }
      // Lists keep only recent elements: the last acknowledged element per key stands for that key.
      const member = w.check === "member" && !w.probe.endsWith(".list");
      const group = `${w.store}\0${w.probe}\0${w.key}${member ? `\0${w.value}` : ""}`;
      const list = groups.get(group) ?? [];
      list.push(w);
      groups.set(group, list);
    }
    return [...groups.values()].map((writes) => {
      const last = writes[writes.length - 1];
      const base = {
        store: last.store,
        probe: last.probe,
        check: last.check,
        key: last.key,
        writes: writes.map((w) => w.id),
      };
      switch (last.check) {
        case "count":
          return {
            ...base,
            atLeast: writes.length,
            atMost: partial.has(counterKey(last.store, last.probe, last.key))
              ? undefined
              : writes.length + (this.inDoubtCounts.get(counterKey(last.store, last.probe, last.key)) ?? 0),
          };
        case "value":
          return { ...base, accepted: [last.value ?? "", ...(this.inDoubt.get(last.key) ?? [])] };
        case "member":
          return { ...base, member: last.value ?? "" };
        default:
          return base;
      }
    });
  }
}

function counterKey(store: Store, probe: string, key: string): string {
  return `${store}\0${probe}\0${key}`;
}

/** Counters above their `atMost`: increments applied twice (a resend of one the server had executed). */
export function judgeDuplicates(
  expectations: readonly Expectation[],
  observed: readonly Observation[],
): DuplicateWrite[] {
  const found: DuplicateWrite[] = [];
  expectations.forEach((e, i) => {
    if (e.check !== "count" || e.atMost === undefined) return;
    const n = Number(observed[i] ?? 0);
    if (Number.isFinite(n) && n > e.atMost)
      found.push({
        store: e.store,
        probe: e.probe,
        key: e.key,
        expected: `${e.atLeast}..${e.atMost}`,
        observed: String(n),
        duplicated: n - e.atMost,
      });
  });
  return found;
}

/** Compares each expectation with its observation; anything not as expected is a lost write (or several). */
export function judge(expectations: readonly Expectation[], observed: readonly Observation[]): LostWrite[] {
  const lost: LostWrite[] = [];
  expectations.forEach((e, i) => {
    const o = observed[i] ?? null;
    let missing = 0;
    let expected = "";
    switch (e.check) {
      case "row":
        expected = "present";
        missing = o === null || o === false ? e.writes.length : 0;
        break;
      case "flag":
        expected = "true";
        missing = o === true || o === "t" || o === 1 ? 0 : e.writes.length;
        break;
      case "count": {
        const n = o === null ? 0 : Number(o);
        expected = `>= ${e.atLeast}`;
        missing = Math.min(e.writes.length, Math.max(0, (e.atLeast ?? 0) - (Number.isFinite(n) ? n : 0)));
        break;
      }
      case "value":
        expected = (e.accepted ?? []).join(" | ");
        missing = o !== null && (e.accepted ?? []).includes(String(o)) ? 0 : 1;
        break;
      case "member":
        expected = `contains ${e.member}`;
        missing = o === true || o === 1 ? 0 : 1;
        break;
    }
    if (missing > 0)
      lost.push({
        store: e.store,
        probe: e.probe,
        key: e.key,
        expected,
        observed: o === null ? "absent" : String(o),
        lost: missing,
        sample: e.writes.slice(-3),
      });
  });
  return lost;
}
