// Time-window arithmetic for RDS / ElastiCache / AWS Backup schedules, as pure functions shared by config
// validation and the policy pack. It lives in policy/ because a published pack may import nothing outside its
// folder. Everything is UTC minutes within one week (0 = Sunday 00:00).
const WEEK = 7 * 1440;
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** A half-open interval [start, end) in minutes of the week; end may pass WEEK (wraps into next week). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));

/** "hh:mm-hh:mm" → that span on each of the seven days. */
export function dailySpans(window: string): Span[] {
  const [s, e] = window.split("-").map(minutes);
  const length = e > s ? e - s : e + 1440 - s;
  return DAYS.map((_, day) => ({ start: day * 1440 + s, end: day * 1440 + s + length }));
}

/** "hh:mm" start plus a length in minutes → that span on each day (an AWS Backup rule's start window). */
export function dailyStartWindow(start: string, lengthMinutes: number): Span[] {
  const s = minutes(start);
  return DAYS.map((_, day) => ({ start: day * 1440 + s, end: day * 1440 + s + lengthMinutes }));
}

/** "ddd:hh:mm-ddd:hh:mm" → one span, optionally widened by `leadMinutes` before its start. */
export function weeklySpan(window: string, leadMinutes = 0): Span {
  const [ws, we] = window
    .split("-")
    .map((part) => DAYS.indexOf(part.slice(0, 3)) * 1440 + minutes(part.slice(4)));
  const end = we > ws ? we : we + WEEK;
  return { start: ws - leadMinutes, end };
}

/** Minutes of the week (any integer: it wraps) → "ddd:hh:mm". */
export function weeklyPoint(minutesOfWeek: number): string {
  const m = ((minutesOfWeek % WEEK) + WEEK) % WEEK;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[Math.floor(m / 1440)]}:${pad(Math.floor((m % 1440) / 60))}:${pad(m % 60)}`;
}

/** Whether any span of `a` overlaps any span of `b`, taking the week's wrap-around into account. */
export function overlaps(a: readonly Span[], b: readonly Span[]): boolean {
  for (const x of a)
    for (const y of b)
      for (const shift of [-WEEK, 0, WEEK])
        if (x.start < y.end + shift && y.start + shift < x.end) return true;
  return false;
}

/**
 * AWS Backup cannot start an RDS backup job in the hour before or during the instance's maintenance window,
 * nor during its automated backup window (AWS Backup developer guide, "Creating a backup plan" → "Backup
 * window"). Returns which of the two the rule's start window collides with.
 */
export function backupStartConflicts(o: {
  readonly start: string;
  readonly startWindowMinutes: number;
  readonly rdsBackupWindow?: string;
  readonly rdsMaintenanceWindow?: string;
}): ("maintenance" | "backup")[] {
  const rule = dailyStartWindow(o.start, o.startWindowMinutes);
  const found: ("maintenance" | "backup")[] = [];
  if (o.rdsMaintenanceWindow && overlaps(rule, [weeklySpan(o.rdsMaintenanceWindow, 60)]))
    found.push("maintenance");
  if (o.rdsBackupWindow && overlaps(rule, dailySpans(o.rdsBackupWindow))) found.push("backup");
  return found;
}

/** "cron(M H * * ? *)" → "hh:mm", or undefined for any other shape (we only ever write daily crons). */
export function dailyCronStart(schedule: string): string | undefined {
  const m = /^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$/.exec(schedule);
  if (!m) return undefined;
  return `${m[2].padStart(2, "0")}:${m[1].padStart(2, "0")}`;
}

export function dailyCron(start: string): string {
  return `cron(${Number(start.slice(3, 5))} ${Number(start.slice(0, 2))} * * ? *)`;
}

/**
 * Whether a daily hh:mm-hh:mm window overlaps a weekly ddd:hh:mm-ddd:hh:mm one on any day (RDS refuses that).
 */
export function windowsOverlap(daily: string | undefined, weekly: string | undefined): boolean {
  if (!daily || !weekly) return false;
  return overlaps(dailySpans(daily), [weeklySpan(weekly)]);
}
