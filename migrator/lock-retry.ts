// Backoff between retries of a statement or file that hit lock_timeout: "equal jitter" (half a doubling cap
// plus a uniform draw over the other half), so a migrator and a periodic job do not retry in step, the wait
// still grows, and the app gets the table back between attempts.
export interface RetrySettings {
  readonly lockRetryDelayMs: number;
  readonly lockRetryMaxDelayMs: number;
}

export function lockRetryDelayMs(
  s: RetrySettings,
  attempt: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(s.lockRetryMaxDelayMs, s.lockRetryDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(cap / 2 + (random() * cap) / 2);
}
