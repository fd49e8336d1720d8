// Where a `pulumi preview`/`up` spends its time, read from the engine's own log (`--logtostderr -v=9
// --logflow`, one JSON object per line): when the program started and first registered something, when each
// provider plugin was launched and ready, the time spent inside provider calls (Check, Diff, Create, Read,
// ...) and what was left after the last registration (the engine finishing the steps and writing state).
// Pure: the bench feeds it the stderr of one extra, untimed run.

export interface EngineTimeline {
  /** ms from the engine's first log line. */
  readonly programLaunched?: number;
  readonly stackRegistered?: number;
  readonly firstResource?: number;
  readonly lastRegistration?: number;
  readonly end: number;
  readonly registrations: number;
  /** The language host (a Go binary) from launch to its first answer: what a Go plugin's start costs here. */
  readonly goPluginStart?: number;
  /** Plugin name → launched, ready (its provider resource checked), ms. */
  readonly plugins: Record<string, { launched: number; ready?: number }>;
  /** Provider method → calls, total ms inside them. */
  readonly calls: Record<string, { count: number; ms: number }>;
}

interface Line {
  readonly at: number;
  readonly msg: string;
}

function lines(log: string): Line[] {
  const out: Line[] = [];
  let t0: number | undefined;
  for (const raw of log.split("\n")) {
    if (!raw.startsWith("{")) continue;
    let entry: { time?: string; msg?: string };
    try {
      entry = JSON.parse(raw);
    } catch {
      continue;
    }
    if (!entry.time || typeof entry.msg !== "string") continue;
    const ms = Date.parse(entry.time);
    if (Number.isNaN(ms)) continue;
    t0 ??= ms;
    out.push({ at: ms - t0, msg: entry.msg });
  }
  return out;
}

export function engineTimeline(log: string): EngineTimeline {
  const all = lines(log);
  const plugins: Record<string, { launched: number; ready?: number }> = {};
  const calls: Record<string, { count: number; ms: number }> = {};
  const open = new Map<string, number>();
  let programLaunched: number | undefined;
  let stackRegistered: number | undefined;
  let firstResource: number | undefined;
  let lastRegistration: number | undefined;
  let registrations = 0;
  let languageLaunched: number | undefined;
  let goPluginStart: number | undefined;
  for (const { at, msg } of all) {
    if (languageLaunched === undefined && msg.startsWith("newPlugin(): Launching plugin 'nodejs' "))
      languageLaunched = at;
    else if (
      languageLaunched !== undefined &&
      goPluginStart === undefined &&
      msg.startsWith("langhost[nodejs].")
    )
      goPluginStart = at - languageLaunched;
    if (programLaunched === undefined && msg.startsWith("langhost[nodejs].Run(")) programLaunched = at;
    const registered = /^ResourceMonitor\.RegisterResource received: t=([^,]+),/.exec(msg);
    if (registered) {
      registrations++;
      lastRegistration = at;
      if (registered[1] === "pulumi:pulumi:Stack") stackRegistered ??= at;
      else firstResource ??= at;
    }
    const launched = /^newPlugin\(\): Launching plugin '([^ ']+) \(resource\)'/.exec(msg);
    if (launched) plugins[launched[1]] ??= { launched: at };
    const checked = /^Checking step \w+ for urn:[^ ]*::pulumi:providers:([^:]+)::/.exec(msg);
    if (checked && plugins[checked[1]] && plugins[checked[1]].ready === undefined)
      plugins[checked[1]].ready = at;
    const call = /^Provider\[(\w+)\]\.(\w+)\(([^)]*)\) (executing|success|failed)/.exec(msg);
    if (call) {
      const key = `${call[1]} ${call[2]} ${call[3]}`;
      if (call[4] === "executing") open.set(key, at);
      else if (open.has(key)) {
        const c = (calls[call[2]] ??= { count: 0, ms: 0 });
        c.count++;
        c.ms += at - open.get(key)!;
        open.delete(key);
      }
    }
  }
  return {
    goPluginStart,
    programLaunched,
    stackRegistered,
    firstResource,
    lastRegistration,
    end: all.length > 0 ? all[all.length - 1].at : 0,
    registrations,
    plugins,
    calls,
  };
}

/** The timeline as the bench prints it, one step per line, ms. */
export function formatTimeline(label: string, t: EngineTimeline): string[] {
  const ms = (v: number | undefined) => (v === undefined ? "-" : String(Math.round(v)));
  const out = [
    `${label} (ms from the engine's start):`,
    `  language host (Go) launch to first answer ${ms(t.goPluginStart)}`,
    `  language host runs the program         ${ms(t.programLaunched)}`,
    `  program registers the stack            ${ms(t.stackRegistered)}`,
    `  program registers its first resource   ${ms(t.firstResource)}`,
  ];
  for (const [name, p] of Object.entries(t.plugins))
    out.push(
      `  plugin ${name.padEnd(14)} launched ${ms(p.launched)}, ready ${ms(p.ready)} (${ms(p.ready === undefined ? undefined : p.ready - p.launched)})`,
    );
  const inCalls = Object.entries(t.calls)
    .map(([method, c]) => `${method} ${c.count}x ${Math.round(c.ms)}`)
    .join(", ");
  out.push(
    `  provider calls (count, total ms)       ${inCalls || "-"}`,
    `  last of ${t.registrations} registrations               ${ms(t.lastRegistration)}`,
    `  engine done (steps, state write)       ${ms(t.end)}`,
  );
  return out;
}
