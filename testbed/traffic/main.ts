// `npm run traffic -- [flags]`: runs the application's access patterns against a stack on this machine and
// prints what happened (see `traffic` below). URLs come from an outputs file or the environment, never from
// argv.
import * as fs from "node:fs";
import { Ledger } from "./ledger";
import { renderReport, type TrafficReport } from "./report";
import { ALL_FAMILIES, SEED_FAMILIES } from "./redis-ops";
import { OptionError, start, type TrafficOptions } from "./runner";
import type { Store } from "./stats";
import { TARGET_ENV, TargetError, targetsFromEnv, targetsFromFile, type Targets } from "./targets";
import { verifyLedger } from "./verify";
import { parseCommandLine } from "../../cli/shared/command-line";
import { Io, processIo } from "../../cli/shared/io";
import { Args, CommandSpec, EXIT, UsageError, runCommand } from "../../cli/shared/program";

const ENV = Object.values(TARGET_ENV).join(", ");
/** URLs come from --outputs or the environment: argv shows them, with their password, to every user. */
const REFUSED = (
  ["--database-url", "--readonly-database-url", "--redis-url", "--redis-cache-url"] as const
).map((name) => ({
  name,
  value: "URL",
  help: `refused: a URL on the command line shows its password (use --outputs or ${ENV})`,
  refused:
    `${name} is not accepted on the command line: ps and /proc show a URL, with its password, to every user. ` +
    `Pass --outputs FILE or set ${ENV}.`,
}));

export const traffic: CommandSpec = {
  name: "traffic",
  summary:
    "the app's access patterns against a stack on this machine; then every acknowledged write is checked",
  flags: [
    {
      name: "--outputs",
      value: "FILE",
      help: `pulumi stack output --json --show-secrets > FILE (else ${ENV})`,
    },
    { name: "--duration", value: "SECONDS", help: "stop after this long (default 10, at most 1800)" },
    { name: "--max-requests", value: "N", help: "…or after N requests (default 1000000)" },
    { name: "--concurrency", value: "N", help: "workers, each with its own connections (default 4)" },
    { name: "--rate", value: "N", help: "total requests per second (default 100)" },
    { name: "--fresh-fraction", value: "F", help: "share of requests on a new connection (default 0.1)" },
    {
      name: "--recycle-after",
      value: "N",
      help: "replace a pooled connection after N requests (default 50)",
    },
    { name: "--stores", value: "LIST", help: "postgres,redis (default both)" },
    {
      name: "--redis-families",
      value: "SET",
      help: "all (default), seed (the seed's six families only), or a comma list",
    },
    {
      name: "--client",
      value: "PROFILE",
      help:
        "strict (default): a request fails on any connection error, nothing is resent; app: as the app should " +
        "run, waits up to 10 s for Redis and resends only what cannot apply twice",
    },
    {
      name: "--ledger-out",
      value: "FILE",
      help: "write the acknowledged writes (ids, no secrets) for a later --verify-ledger",
    },
    {
      name: "--verify-ledger",
      value: "FILE",
      help: "send no traffic: check a saved ledger against the targets (after destroy + up, say)",
    },
    ...REFUSED,
  ],
  json: true,
  notes: [
    "Runs the app's PostgreSQL (app and readonly roles) and Redis (app user) access patterns, opening new",
    "connections all the time as pools do, tags every acknowledged write and checks at the end that each is still",
    "there. Prints requests, failures by error, p50/p99 per store and lost writes. SIGINT/SIGTERM stop the run",
    "early; the report is printed all the same. Exit 0: no failed request and every acknowledged write found;",
    "1: failures or lost/unverified writes; 2: bad usage.",
  ].join("\n"),
};

/** argv → the parsed flags (exported for testing). */
export const trafficArgs = (argv: readonly string[]) => parseCommandLine(traffic, argv);

function number(args: Args, name: `--${string}`): number | undefined {
  const v = args.value(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${name} must be a number, got ${v}`);
  return n;
}

/** Flags → run options, without targets (exported for testing). */
export function optionsFromFlags(args: Args): Omit<TrafficOptions, "targets"> {
  const families = args.value("--redis-families");
  const duration = number(args, "--duration");
  const stores = args.value("--stores");
  return {
    client: args.value("--client") as TrafficOptions["client"],
    durationMs: duration === undefined ? undefined : duration * 1000,
    maxRequests: number(args, "--max-requests"),
    concurrency: number(args, "--concurrency"),
    ratePerSecond: number(args, "--rate"),
    freshFraction: number(args, "--fresh-fraction"),
    recycleAfter: number(args, "--recycle-after"),
    stores: stores === undefined ? undefined : (stores.split(",") as Store[]),
    redisFamilies:
      families === undefined || families === "all"
        ? ALL_FAMILIES
        : families === "seed"
          ? SEED_FAMILIES
          : families.split(","),
  };
}

function targetsOf(args: Args): Targets {
  const file = args.value("--outputs");
  try {
    return file === undefined ? targetsFromEnv() : targetsFromFile(file);
  } catch (err) {
    if (err instanceof TargetError) throw new UsageError(err.message);
    throw err;
  }
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

/** Sends traffic until the duration, the request count or a signal ends it; progress on stderr. */
async function sendTraffic(options: TrafficOptions, io: Io, ledgerOut: string | undefined) {
  let run;
  try {
    run = start(options);
  } catch (err) {
    if (err instanceof OptionError) throw new UsageError(err.message);
    throw err;
  }
  const stop = () => void run.stop();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  io.err("traffic: started");
  const progress = setInterval(() => io.err(`traffic: ${run.requests()} requests`), 1000);
  await run.finished;
  clearInterval(progress);
  const report = await run.stop();
  if (ledgerOut !== undefined)
    fs.writeFileSync(ledgerOut, JSON.stringify(run.ledger.toJSON()), { mode: 0o600 });
  return report;
}

async function run(args: Args, io: Io): Promise<number> {
  // The flags first: a mistyped number is reported whatever the targets.
  const options = optionsFromFlags(args);
  const targets = targetsOf(args);
  const ledgerFile = args.value("--verify-ledger");
  const report =
    ledgerFile === undefined
      ? await sendTraffic({ ...options, targets }, io, args.value("--ledger-out"))
      : await verifyOnly(ledgerFile, targets);
  if (args.has("--json")) io.out(JSON.stringify(report, null, 2));
  else io.out(renderReport(report).join("\n"));
  const failures = report.stores.postgres.failures + report.stores.redis.failures;
  const w = report.writes;
  return failures === 0 && w.lost === 0 && w.unverified === 0 && w.duplicated === 0 ? EXIT.ok : EXIT.failed;
}

export const main = (argv: readonly string[], io: Io = processIo) =>
  runCommand("npm run traffic --", { ...traffic, run }, argv, io);

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
