// `npm run traffic -- [flags]`: runs the application's access patterns against a stack on this machine and
// prints what happened (see usage below). URLs come from an outputs file or the environment, never from argv.
import * as fs from "node:fs";
import { Ledger } from "./ledger";
import { renderReport, type TrafficReport } from "./report";
import { ALL_FAMILIES, SEED_FAMILIES } from "./redis-ops";
import { OptionError, start, type TrafficOptions } from "./runner";
import type { Store } from "./stats";
import { TARGET_ENV, TargetError, targetsFromEnv, targetsFromFile, type Targets } from "./targets";
import { verifyLedger } from "./verify";

const USAGE = `usage: npm run traffic -- [--outputs FILE] [flags]

Runs the app's PostgreSQL (app and readonly roles) and Redis (app user) access patterns against a stack on this
machine, opening new connections all the time as pools do, tags every acknowledged write and checks at the end
that each is still there. Prints requests, failures by error, p50/p99 per store and lost writes.

  --outputs FILE          pulumi stack output --json --show-secrets > FILE (else ${Object.values(TARGET_ENV).join(", ")})
  --duration SECONDS      stop after this long (default 10, at most 1800)
  --max-requests N        …or after N requests (default 1000000)
  --concurrency N         workers, each with its own connections (default 4)
  --rate N                total requests per second (default 100)
  --fresh-fraction F      share of requests on a new connection (default 0.1)
  --recycle-after N       replace a pooled connection after N requests (default 50)
  --stores LIST           postgres,redis (default both)
  --redis-families SET    all (default), seed (the seed's six families only), or a comma list
  --client PROFILE        strict (default): a request fails on any connection error, nothing is resent; app: as
                          the app should run, waits up to 10 s for Redis and resends only what cannot apply twice
  --ledger-out FILE       write the acknowledged writes (ids, no secrets) for a later --verify-ledger
  --verify-ledger FILE    send no traffic: check a saved ledger against the targets (after destroy + up, say)
  --json                  print the report as JSON on stdout
  --help                  this text

SIGINT/SIGTERM stop the run early; the report is printed all the same. Exit 0: no failed request and every
acknowledged write found; 1: failures or lost/unverified writes; 2: bad usage.`;

const VALUED = new Set([
  "--outputs",
  "--duration",
  "--max-requests",
  "--concurrency",
  "--rate",
  "--fresh-fraction",
  "--recycle-after",
  "--stores",
  "--redis-families",
  "--client",
  "--ledger-out",
  "--verify-ledger",
]);

class UsageError extends Error {}

/** argv → flags; refuses URLs on the command line (exported for testing). */
export function parseArgs(argv: readonly string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    if (/^--.*url$/i.test(name) || /^[a-z]+:\/\//i.test(arg))
      throw new UsageError(
        `${arg.split("=")[0]}: URLs are not accepted on the command line (ps and /proc show them, with their ` +
          `password, to every user). Pass --outputs FILE or set ${Object.values(TARGET_ENV).join(", ")}.`,
      );
    if (name === "--json" || name === "--help") flags.set(name, true);
    else if (VALUED.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`${name} needs a value`);
      flags.set(name, value);
    } else throw new UsageError(`unknown argument ${arg}`);
  }
  return flags;
}

function number(flags: Map<string, string | true>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n))
    throw new UsageError(`${name} must be a number, got ${v}`);
  return n;
}

/** Flags → run options, without targets (exported for testing). */
export function optionsFromFlags(flags: Map<string, string | true>): Omit<TrafficOptions, "targets"> {
  const families = flags.get("--redis-families");
  const duration = number(flags, "--duration");
  const client = flags.get("--client");
  return {
    client: typeof client === "string" ? (client as TrafficOptions["client"]) : undefined,
    durationMs: duration === undefined ? undefined : duration * 1000,
    maxRequests: number(flags, "--max-requests"),
    concurrency: number(flags, "--concurrency"),
    ratePerSecond: number(flags, "--rate"),
    freshFraction: number(flags, "--fresh-fraction"),
    recycleAfter: number(flags, "--recycle-after"),
    stores:
      typeof flags.get("--stores") === "string"
        ? (String(flags.get("--stores")).split(",") as Store[])
        : undefined,
    redisFamilies:
      families === undefined || families === "all"
        ? ALL_FAMILIES
        : families === "seed"
          ? SEED_FAMILIES
          : String(families).split(","),
  };
}

function targetsOf(flags: Map<string, string | true>): Targets {
  const file = flags.get("--outputs");
  return typeof file === "string" ? targetsFromFile(file) : targetsFromEnv();
}

async function verifyOnly(file: string, targets: Targets): Promise<TrafficReport> {
  const ledger = Ledger.fromJSON(JSON.parse(fs.readFileSync(file, "utf8")));
  const t0 = Date.now();
  const v = await verifyLedger(ledger, targets);
  const lostByStore = { postgres: 0, redis: 0 };
  for (const l of v.lostWrites) lostByStore[l.store] += l.lost;
  const none = {
    requests: 0,
    failures: 0,
    failuresByError: {},
    p50Ms: undefined,
    p99Ms: undefined,
    maxMs: undefined,
  };
  return {
    startedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
    targets: {},
    stores: { postgres: { ...none, connectionsOpened: 0 }, redis: { ...none, connectionsOpened: 0 } },
    operations: {},
    writes: {
      ...v,
      lostByStore,
      lostWrites: v.lostWrites.slice(0, 20),
      duplicateWrites: v.duplicateWrites.slice(0, 20),
      verifyErrors: v.errors,
    },
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  let flags: Map<string, string | true>;
  let targets: Targets;
  let options: Omit<TrafficOptions, "targets">;
  try {
    flags = parseArgs(argv);
    if (flags.has("--help")) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    targets = targetsOf(flags);
    options = optionsFromFlags(flags);
  } catch (err) {
    if (err instanceof UsageError || err instanceof TargetError) {
      process.stderr.write(`traffic: ${err.message}\n(npm run traffic -- --help)\n`);
      return 2;
    }
    throw err;
  }
  let report: TrafficReport;
  const ledgerFile = flags.get("--verify-ledger");
  if (typeof ledgerFile === "string") report = await verifyOnly(ledgerFile, targets);
  else {
    let traffic;
    try {
      traffic = start({ ...options, targets });
    } catch (err) {
      if (!(err instanceof OptionError)) throw err;
      process.stderr.write(`traffic: ${err.message}\n`);
      return 2;
    }
    const run = traffic;
    const onSignal = () => void run.stop();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    process.stderr.write(`traffic: started\n`);
    const progress = setInterval(() => process.stderr.write(`traffic: ${run.requests()} requests\n`), 1000);
    await run.finished;
    clearInterval(progress);
    report = await run.stop();
    const out = flags.get("--ledger-out");
    if (typeof out === "string") fs.writeFileSync(out, JSON.stringify(run.ledger.toJSON()), { mode: 0o600 });
  }
  if (flags.has("--json")) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${renderReport(report).join("\n")}\n`);
  const failures = report.stores.postgres.failures + report.stores.redis.failures;
  const w = report.writes;
  return failures === 0 && w.lost === 0 && w.unverified === 0 && w.duplicated === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`traffic: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
