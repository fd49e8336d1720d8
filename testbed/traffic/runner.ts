// A traffic run: `concurrency` workers, each a few virtual users of the app, issuing the access patterns at a
// bounded total rate until the duration or request count is reached or stop() is called; then the ledger is
// verified. start() returns at once, so a test (or helper "lint" measuring migrations) can run traffic around
// any event: `const t = start({ targets }); …event…; const report = await t.stop();`.
import { randomBytes, randomUUID } from "node:crypto";
import { CLIENT_PROFILES, type ClientProfile } from "./client-profile";
import { Counters, PgConnection, RedisConnection, type ConnectionPolicy } from "./connections";
import { Ledger } from "./ledger";
import { POSTGRES_OPERATIONS } from "./postgres-ops";
import { ALL_FAMILIES, REDIS_OPERATIONS } from "./redis-ops";
import { describeUrl, type TrafficReport } from "./report";
import { StoreStats, type Store } from "./stats";
import type { Targets } from "./targets";
import { verifyLedger } from "./verify";
import { walletFor, type OpContext, type Operation, type User } from "./workload";

export interface TrafficOptions {
  readonly targets: Targets;
  /** Stops by itself after this long (default 10 s, at most 30 min). */
  readonly durationMs?: number;
  /** …or after this many requests (default 1,000,000). */
  readonly maxRequests?: number;
  /** Parallel workers, each with its own connections (default 4, at most 64). */
  readonly concurrency?: number;
  /** Total requests per second across workers (default 100; the machine runs other things too). */
  readonly ratePerSecond?: number;
  /** Share of requests on a brand-new connection (default 0.1). */
  readonly freshFraction?: number;
  /** Pooled connections are replaced after this many requests (default 50). */
  readonly recycleAfter?: number;
  /** Default both. */
  readonly stores?: readonly Store[];
  /** Redis families to exercise (default every family the app uses: ALL_FAMILIES). */
  readonly redisFamilies?: readonly string[];
  /**
   * How Redis requests meet an outage (client-profile.ts): "strict" (default) fails each at once; "app" waits
   * up to 10 s for the connection and resends only what cannot be applied twice.
   */
  readonly client?: ClientProfile;
}

export interface Traffic {
  /** Settles when the run reached its duration or request bound (or stop() was called). */
  readonly finished: Promise<void>;
  readonly ledger: Ledger;
  requests(): number;
  /** Requests and failures per operation so far. */
  operations(): Readonly<Record<string, { readonly requests: number; readonly failures: number }>>;
  /** Stops the workers, closes every connection, verifies the ledger (against `verifyWith` if given). */
  stop(options?: { verifyWith?: Targets }): Promise<TrafficReport>;
}

export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OptionError";
  }
}

function bounded(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min || v > max)
    throw new OptionError(`Invalid value for ${name}: ${value}. Allowed values are ${min} to ${max}.`);
  return v;
}

/** Options with defaults applied and ranges checked (exported for testing). */
export function resolveOptions(o: TrafficOptions) {
  const stores = o.stores ?? ["postgres", "redis"];
  for (const s of stores)
    if (s !== "postgres" && s !== "redis")
      throw new OptionError(`Invalid value for stores: ${s}. Allowed values are: postgres, redis.`);
  const families = o.redisFamilies ?? ALL_FAMILIES;
  for (const f of families)
    if (!ALL_FAMILIES.includes(f))
      throw new OptionError(
        `Invalid value for redisFamilies: ${f}. Allowed values are: ${ALL_FAMILIES.join(", ")}.`,
      );
  const client = o.client ?? "strict";
  if (!CLIENT_PROFILES.includes(client))
    throw new OptionError(
      `Invalid value for client: ${client}. Allowed values are: ${CLIENT_PROFILES.join(", ")}.`,
    );
  return {
    client,
    durationMs: bounded("durationMs", o.durationMs, 10_000, 100, 30 * 60_000),
    maxRequests: bounded("maxRequests", o.maxRequests, 1_000_000, 1, 100_000_000),
    concurrency: Math.floor(bounded("concurrency", o.concurrency, 4, 1, 64)),
    ratePerSecond: bounded("ratePerSecond", o.ratePerSecond, 100, 1, 100_000),
    freshFraction: bounded("freshFraction", o.freshFraction, 0.1, 0, 1),
    recycleAfter: Math.floor(bounded("recycleAfter", o.recycleAfter, 50, 1, 1_000_000)),
    stores,
    families,
  };
}

/** The operations a run issues: its stores, and Redis operations whose families are all allowed. */
export function operationsFor(stores: readonly Store[], families: readonly string[]): Operation[] {
  return [...POSTGRES_OPERATIONS, ...REDIS_OPERATIONS].filter(
    (op) => stores.includes(op.store) && (op.families ?? []).every((f) => families.includes(f)),
  );
}

/** Weighted choice among the operations ready for `user`; `r` in [0, 1). */
export function pick(ops: readonly Operation[], user: User, r: number): Operation | undefined {
  const ready = ops.filter((op) => !op.ready || op.ready(user));
  const total = ready.reduce((n, op) => n + op.weight, 0);
  let x = r * total;
  for (const op of ready) {
    x -= op.weight;
    if (x < 0) return op;
  }
  return ready[ready.length - 1];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function start(options: TrafficOptions): Traffic {
  const o = resolveOptions(options);
  const ops = operationsFor(o.stores, o.families);
  const runId = randomBytes(4).toString("hex");
  const ledger = new Ledger();
  const stats = { postgres: new StoreStats(), redis: new StoreStats() };
  const perOp = new Map<string, { requests: number; failures: number }>();
  const opened: Record<Store, Counters> = { postgres: { opened: 0 }, redis: { opened: 0 } };
  const policy: ConnectionPolicy = {
    freshFraction: o.freshFraction,
    recycleAfter: o.recycleAfter,
    random: Math.random,
    profile: o.client,
  };
  const startedAt = Date.now();
  const endAt = startedAt + o.durationMs;
  const intervalMs = (1000 * o.concurrency) / o.ratePerSecond;
  let total = 0;
  let stopping = false;
  let moduleId: Promise<string> | undefined;
  const connections: { drop(): Promise<void> }[] = [];

  const worker = async (w: number) => {
    const app = new PgConnection(options.targets.postgresApp, policy, opened.postgres);
    const readonly = new PgConnection(options.targets.postgresReadonly, policy, opened.postgres);
    const redis = new RedisConnection(options.targets.redisApp, policy, opened.redis);
    const redisCache = new RedisConnection(options.targets.redisCache, policy, opened.redis);
    connections.push(app, readonly, redis, redisCache);
    const users: User[] = [0, 1, 2].map((u) => ({
      wallet: walletFor(`${runId}/${w}/${u}`),
      localId: randomUUID(),
      sessions: [],
      grids: [],
      connections: [],
    }));
    let seq = 0;
    let next = Date.now() + Math.random() * intervalMs;
    while (!stopping && Date.now() < endAt && total < o.maxRequests) {
      const user = users[Math.floor(Math.random() * users.length)];
      const op = pick(ops, user, Math.random());
      if (!op) break;
      const ctx: OpContext = {
        user,
        app,
        readonly,
        redis,
        redisCache,
        ledger,
        nextId: () => `${runId}-${w}-${seq++}`,
        now: Date.now,
        firstModuleId: () =>
          (moduleId ??= app
            .use((c) =>
              c.query<{ id: string }>(
                `SELECT id FROM education_modules m WHERE is_active AND NOT EXISTS
                   (SELECT 1 FROM education_module_prerequisites p WHERE p.module_id = m.id)
                 ORDER BY sort_order LIMIT 1`,
              ),
            )
            .then((r) => r.rows[0].id)
            .catch((err) => {
              moduleId = undefined;
              throw err;
            })),
      };
      total++;
      const counts = perOp.get(op.name) ?? { requests: 0, failures: 0 };
      perOp.set(op.name, counts);
      counts.requests++;
      const t0 = performance.now();
      try {
        await op.run(ctx);
        stats[op.store].succeeded(performance.now() - t0);
      } catch (err) {
        counts.failures++;
        stats[op.store].failed(err);
      }
      next += intervalMs;
      const wait = next - Date.now();
      if (wait > 0) await sleep(Math.min(wait, endAt - Date.now()));
      else next = Date.now(); // behind schedule (a slow request): no burst to catch up
    }
  };

  const finished = Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w))).then(
    () => undefined,
  );

  let report: Promise<TrafficReport> | undefined;
  const finish = async (stopOptions: { verifyWith?: Targets }): Promise<TrafficReport> => {
    stopping = true;
    await finished;
    await Promise.all(connections.map((c) => c.drop()));
    const durationMs = Date.now() - startedAt;
    const verifyTargets = stopOptions.verifyWith ?? options.targets;
    const v = await verifyLedger(ledger, verifyTargets);
    const lostByStore = { postgres: 0, redis: 0 };
    for (const l of v.lostWrites) lostByStore[l.store] += l.lost;
    return {
      startedAt: new Date(startedAt).toISOString(),
      client: o.client,
      durationMs,
      targets: {
        postgresApp: describeUrl(options.targets.postgresApp),
        postgresReadonly: describeUrl(options.targets.postgresReadonly),
        redisApp: describeUrl(options.targets.redisApp),
        redisCache: describeUrl(options.targets.redisCache),
      },
      stores: {
        postgres: { ...stats.postgres.figures(), connectionsOpened: opened.postgres.opened },
        redis: { ...stats.redis.figures(), connectionsOpened: opened.redis.opened },
      },
      operations: Object.fromEntries([...perOp].sort(([a], [b]) => a.localeCompare(b))),
      writes: {
        acknowledged: v.acknowledged,
        expired: v.expired,
        verified: v.verified,
        lost: v.lost,
        unverified: v.unverified,
        lostByStore,
        lostWrites: v.lostWrites.slice(0, 20),
        duplicated: v.duplicated,
        duplicateWrites: v.duplicateWrites.slice(0, 20),
        verifyErrors: v.errors,
      },
    };
  };
  return {
    finished,
    ledger,
    requests: () => total,
    operations: () => Object.fromEntries([...perOp].map(([k, v]) => [k, { ...v }])),
    // Idempotent: a signal handler and the caller may both stop the run.
    stop: (stopOptions = {}) => (report ??= finish(stopOptions)),
  };
}
