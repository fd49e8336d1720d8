// Counting what a traffic run did, per store: requests, failures grouped by error, latencies. Pure: no I/O,
// no clock (callers pass durations), so the figures a test or a bench prints come from code that is
// unit-tested.

export type Store = "postgres" | "redis";
export const STORES: readonly Store[] = ["postgres", "redis"];

/**
 * The p-th percentile (0 < p <= 100) of `values` by the nearest-rank method: the smallest value such that at
 * least p % of the values are <= it. Always one of the observed values (no interpolation), undefined when
 * empty.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile: p must be in (0, 100], got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/**
 * How a failure is grouped: the server's error code when there is one (SQLSTATE such as 28P01, a Redis error
 * prefix such as NOPERM or WRONGPASS, a socket errno such as ECONNREFUSED), else the message with digits and
 * quoted names folded so one cause is one line however many keys or ports it hit.
 */
export function errorKey(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(err);
  const redisPrefix = /^([A-Z][A-Z_]{2,})\s/.exec(message)?.[1];
  const code = typeof e?.code === "string" && e.code ? e.code : redisPrefix;
  const folded = message
    .replace(/"[^"]*"|'[^']*'/g, "…")
    .replace(/\d+/g, "N")
    .slice(0, 120);
  return code ? `${code}: ${folded}` : folded;
}

export interface StoreFigures {
  readonly requests: number;
  readonly failures: number;
  /** Failures per errorKey, largest first when rendered. */
  readonly failuresByError: Readonly<Record<string, number>>;
  /** Latency of successful requests, milliseconds; undefined when there were none. */
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly maxMs: number | undefined;
}

/** Collects one store's requests. */
export class StoreStats {
  private requests = 0;
  private readonly latencies: number[] = [];
  private readonly failures = new Map<string, number>();

  succeeded(ms: number): void {
    this.requests++;
    this.latencies.push(ms);
  }

  failed(err: unknown): void {
    this.requests++;
    const key = errorKey(err);
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
  }

  get count(): number {
    return this.requests;
  }

  figures(): StoreFigures {
    const failuresByError = Object.fromEntries([...this.failures].sort((a, b) => b[1] - a[1]));
    const failures = [...this.failures.values()].reduce((a, b) => a + b, 0);
    return {
      requests: this.requests,
      failures,
      failuresByError,
      p50Ms: round(percentile(this.latencies, 50)),
      p99Ms: round(percentile(this.latencies, 99)),
      maxMs: round(
        this.latencies.reduce<number | undefined>((m, v) => (m === undefined || v > m ? v : m), undefined),
      ),
    };
  }
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 100) / 100;
}
