// What a traffic run prints: the report's shape (also the --json document), its text form, and the event
// table the engine test and the bench print (event × store × requests × failures × lost writes × p50 × p99).
// Pure.
import type { DuplicateWrite, LostWrite } from "./ledger";
import { STORES, type Store, type StoreFigures } from "./stats";

export interface StoreReport extends StoreFigures {
  readonly connectionsOpened: number;
}

export interface WritesReport {
  readonly acknowledged: number;
  readonly expired: number;
  readonly verified: number;
  readonly lost: number;
  readonly unverified: number;
  /** Lost writes per store. */
  readonly lostByStore: Readonly<Record<Store, number>>;
  /** The first lost writes, for the investigation. */
  readonly lostWrites: readonly LostWrite[];
  /** Counter increments applied more than once (a client resent what the server had executed). */
  readonly duplicated: number;
  readonly duplicateWrites: readonly DuplicateWrite[];
  readonly verifyErrors: Partial<Record<Store, string>>;
}

export interface TrafficReport {
  readonly startedAt: string;
  /**
   * The client profile (connections.ts): strict fails fast, app waits out outages and resends what is safe.
   */
  readonly client?: string;
  readonly durationMs: number;
  /** host:port/db and user of each target; never a password. */
  readonly targets: Readonly<Record<string, string>>;
  readonly stores: Readonly<Record<Store, StoreReport>>;
  readonly operations: Readonly<Record<string, { readonly requests: number; readonly failures: number }>>;
  readonly writes: WritesReport;
}

/** "user@host:port/path" of a URL, without its password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.username) || "-"}@${u.hostname}:${u.port}${u.pathname}`;
  } catch {
    return "(not a URL)";
  }
}

function ms(value: number | undefined): string {
  return value === undefined ? "-" : value.toFixed(1);
}

/** The report as text lines. */
export function renderReport(report: TrafficReport): string[] {
  const lines = [
    `traffic run: ${(report.durationMs / 1000).toFixed(1)} s from ${report.startedAt}` +
      (report.client ? ` (client ${report.client})` : ""),
    ...Object.entries(report.targets).map(([k, v]) => `  ${k}: ${v}`),
    "",
    ...table(
      ["store", "requests", "failures", "lost writes", "p50 ms", "p99 ms", "max ms", "connections"],
      STORES.map((s) => {
        const f = report.stores[s];
        return [
          s,
          String(f.requests),
          String(f.failures),
          String(report.writes.lostByStore[s]),
          ms(f.p50Ms),
          ms(f.p99Ms),
          ms(f.maxMs),
          String(f.connectionsOpened),
        ];
      }),
    ),
  ];
  const failures = STORES.flatMap((s) =>
    Object.entries(report.stores[s].failuresByError).map(([key, n]) => `  ${s}  ${n} × ${key}`),
  );
  if (failures.length) lines.push("", "failures by error:", ...failures);
  const w = report.writes;
  lines.push(
    "",
    `acknowledged writes: ${w.acknowledged}; verified ${w.verified}, lost ${w.lost}, ` +
      `unverified ${w.unverified}, expired by design (TTL) ${w.expired}, applied twice ${w.duplicated}`,
  );
  for (const d of w.duplicateWrites)
    lines.push(
      `  applied twice: ${d.store} ${d.probe} ${d.key}: expected ${d.expected}, found ${d.observed} (${d.duplicated} extra)`,
    );
  for (const l of w.lostWrites)
    lines.push(
      `  lost: ${l.store} ${l.probe} ${l.key}: expected ${l.expected}, found ${l.observed} (${l.lost} write(s), e.g. ${l.sample.join(", ")})`,
    );
  for (const [store, message] of Object.entries(w.verifyErrors))
    lines.push(`  not verified: ${store}: ${message}`);
  return lines;
}

export interface EventRow {
  readonly event: string;
  readonly report: TrafficReport;
}

/** One Markdown table row per event and store: the figures the runbook and benchmarks quote. */
export function renderEventTable(rows: readonly EventRow[]): string[] {
  return table(
    ["event", "store", "requests", "failures", "lost writes", "p50 ms", "p99 ms"],
    rows.flatMap(({ event, report }) =>
      STORES.map((s) => [
        event,
        s,
        String(report.stores[s].requests),
        String(report.stores[s].failures),
        String(report.writes.lostByStore[s]),
        ms(report.stores[s].p50Ms),
        ms(report.stores[s].p99Ms),
      ]),
    ),
  );
}

/** A Markdown table with padded columns (prettier's layout, so pasted tables stay unchanged). */
export function table(header: readonly string[], body: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)];
}
