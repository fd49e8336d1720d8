// The lock around the one-time build of the Pulumi CLI (a few minutes): a second process waits for it, and
// says what it waits for, who holds it and since when, and until when it will wait. A holder that died on
// this machine leaves its lock behind; the waiter takes it over instead of waiting out the deadline.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly since: number;
  readonly command: string;
}

export interface LockOptions {
  readonly deadlineMs?: number;
  readonly pollMs?: number;
  /** First report after this long, then every `everyMs`. */
  readonly firstReportMs?: number;
  readonly everyMs?: number;
  readonly report?: (line: string) => void;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19) + " UTC";

function readHolder(lock: string): Holder | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(lock, "holder.json"), "utf8"));
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function holderLine(
  lock: string,
  holder: Holder | undefined,
  giveUpAt: number,
  now = Date.now(),
): string {
  const who = holder
    ? `held by pid ${holder.pid} on ${holder.host} (${holder.command}) since ${clock(holder.since)}, ` +
      `${Math.round((now - holder.since) / 1000)} s ago`
    : "holder unknown (no holder.json)";
  return `waiting for the Pulumi CLI build lock ${lock}: ${who}; giving up at ${clock(giveUpAt)}`;
}

export function withBuildLock<T>(lock: string, fn: () => T, options: LockOptions = {}): T {
  const { deadlineMs = 30 * 60_000, pollMs = 250, firstReportMs = 1_500, everyMs = 30_000 } = options;
  const report = options.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const started = Date.now();
  let nextReport = started + firstReportMs;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const holder = readHolder(lock);
      if (holder && holder.host === os.hostname() && !alive(holder.pid)) {
        report(`taking over ${lock}: its holder, pid ${holder.pid}, has exited`);
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      const now = Date.now();
      if (now - started > deadlineMs)
        throw new Error(
          `${holderLine(lock, holder, started + deadlineMs, now)}: timed out (remove it if no build runs)`,
        );
      if (now >= nextReport) {
        report(holderLine(lock, holder, started + deadlineMs, now));
        nextReport = now + everyMs;
      }
      sleep(pollMs);
    }
  }
  const holder: Holder = {
    pid: process.pid,
    host: os.hostname(),
    since: Date.now(),
    command: process.argv
      .slice(1)
      .map((a) => path.basename(a))
      .join(" "),
  };
  fs.writeFileSync(path.join(lock, "holder.json"), JSON.stringify(holder));
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
