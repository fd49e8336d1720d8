// Reading back what the ledger expects: one query per PostgreSQL probe (keys batched into arrays, through the
// indexes the app uses) and pipelined reads on Redis. Retries while a store is still coming back (a restart
// just before the end of a phase); what cannot be read is reported as unverified, never as lost.
import Redis from "ioredis";
import { type Client } from "pg";
import { pgClient } from "../pg-client";
import {
  judge,
  judgeDuplicates,
  type DuplicateWrite,
  type Expectation,
  type Ledger,
  type LostWrite,
  type Observation,
} from "./ledger";
import type { Store } from "./stats";
import type { Targets } from "./targets";
import { redisStoreOf } from "./redis-ops";

export interface Verification {
  readonly acknowledged: number;
  /** Acknowledged writes whose key expired by design (TTL) before the check. */
  readonly expired: number;
  readonly verified: number;
  readonly lost: number;
  readonly unverified: number;
  readonly lostWrites: readonly LostWrite[];
  /** Increments applied more than once (counters above every increment sent). */
  readonly duplicated: number;
  readonly duplicateWrites: readonly DuplicateWrite[];
  readonly errors: Partial<Record<Store, string>>;
}

const BATCH = 1_000;

type PgProbe = (client: Client, keys: string[]) => Promise<Map<string, Observation>>;

async function rows(client: Client, sql: string, params: unknown[]): Promise<Map<string, Observation>> {
  const result = await client.query<{ k: string; v: Observation }>(sql, params);
  return new Map(result.rows.map((r) => [r.k, r.v]));
}

const PG_PROBES: Record<string, PgProbe> = {
  "users.login_count": (c, keys) =>
    rows(c, "SELECT wallet_address AS k, login_count AS v FROM users WHERE wallet_address = ANY ($1)", [
      keys,
    ]),
  "user_sessions.token_hash": (c, keys) =>
    rows(
      c,
      `SELECT encode(token_hash, 'hex') AS k, true AS v FROM user_sessions
        WHERE token_hash = ANY (SELECT decode(h, 'hex') FROM unnest($1::text[]) h)`,
      [keys],
    ),
  "user_sessions.revoked": (c, keys) =>
    rows(
      c,
      `SELECT encode(token_hash, 'hex') AS k, revoked_at IS NOT NULL AS v FROM user_sessions
        WHERE token_hash = ANY (SELECT decode(h, 'hex') FROM unnest($1::text[]) h)`,
      [keys],
    ),
  // Keys are "user_id/module_id".
  "user_module_progress.attempts": (c, keys) =>
    rows(
      c,
      `SELECT user_id::text || '/' || module_id::text AS k, attempts AS v FROM user_module_progress
        WHERE (user_id, module_id) IN (SELECT split_part(x, '/', 1)::uuid, split_part(x, '/', 2)::uuid
                                         FROM unnest($1::text[]) x)`,
      [keys],
    ),
  "user_grids.grid_identity": (c, keys) =>
    rows(c, "SELECT grid_identity AS k, true AS v FROM user_grids WHERE grid_identity = ANY ($1)", [keys]),
  "user_grids.active": (c, keys) =>
    rows(
      c,
      "SELECT grid_identity AS k, status = 'active' AS v FROM user_grids WHERE grid_identity = ANY ($1)",
      [keys],
    ),
};

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function observePostgres(url: string, expectations: readonly Expectation[]): Promise<Observation[]> {
  const client = pgClient({ connectionString: url, connectionTimeoutMillis: 5_000, query_timeout: 30_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const found = new Map<string, Map<string, Observation>>();
    for (const probe of new Set(expectations.map((e) => e.probe))) {
      const run = PG_PROBES[probe];
      if (!run) throw new Error(`verify: no PostgreSQL probe ${probe}`);
      const keys = [...new Set(expectations.filter((e) => e.probe === probe).map((e) => e.key))];
      const merged = new Map<string, Observation>();
      for (const batch of chunks(keys, BATCH))
        for (const [k, v] of await run(client, batch)) merged.set(k, v);
      found.set(probe, merged);
    }
    return expectations.map((e) => found.get(e.probe)?.get(e.key) ?? null);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function queueRedis(p: ReturnType<Redis["pipeline"]>, e: Expectation): void {
  switch (e.probe) {
    case "redis.get":
    case "redis.counter":
      p.get(e.key);
      break;
    case "redis.hget": {
      const [key, field] = e.key.split(" ");
      p.hget(key, field);
      break;
    }
    case "redis.set":
      p.sismember(e.key, e.member ?? "");
      break;
    case "redis.zset":
      p.zscore(e.key, e.member ?? "");
      break;
    case "redis.list":
      p.lrange(e.key, 0, -1);
      break;
    default:
      throw new Error(`verify: no Redis probe ${e.probe}`);
  }
}

function redisObservation(e: Expectation, value: unknown): Observation {
  if (e.probe === "redis.set") return value === 1;
  if (e.probe === "redis.zset") return value !== null;
  if (e.probe === "redis.list") return Array.isArray(value) && value.includes(e.member);
  return value === null || value === undefined ? null : String(value);
}

async function observeRedis(url: string, expectations: readonly Expectation[]): Promise<Observation[]> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  let reason: Error | undefined;
  client.on("error", (err: Error) => (reason ??= err));
  try {
    await client.connect().catch((err) => {
      throw reason ?? err;
    });
    const out: Observation[] = [];
    for (const batch of chunks(expectations, BATCH)) {
      const p = client.pipeline();
      batch.forEach((e) => queueRedis(p, e));
      const results = (await p.exec()) ?? [];
      results.forEach(([err, value], i) => {
        if (err) throw err;
        out.push(redisObservation(batch[i], value));
      });
    }
    return out;
  } finally {
    client.disconnect();
  }
}

/** Each expectation read from the store its key lives in (redis-ops.ts), in the order given. */
async function observeRedisStores(
  targets: Targets,
  expectations: readonly Expectation[],
): Promise<Observation[]> {
  const inCache = expectations.map((e) => redisStoreOf(e.key) === "cache");
  const at = async (url: string, mine: readonly Expectation[]) =>
    mine.length ? observeRedis(url, mine) : [];
  const state = await at(
    targets.redisApp,
    expectations.filter((_, i) => !inCache[i]),
  );
  const cache = await at(
    targets.redisCache,
    expectations.filter((_, i) => inCache[i]),
  );
  return inCache.map((c) => (c ? cache : state).shift() as Observation);
}

/**
 * A refused login is an answer, not an outage: the credentials in hand are no longer valid (a `destroy` +
 * `up` made new ones), and waiting will not change that. Only a store that is not answering yet is worth
 * retrying.
 */
export function isLoginRefused(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (code === "28P01" || code === "28000") return true;
  return /^(WRONGPASS|NOAUTH|NOPERM)\b/.test(String((err as Error).message ?? ""));
}

async function withRetry<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (isLoginRefused(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Checks every acknowledged write of `ledger` against the stores `targets` point at. */
export async function verifyLedger(
  ledger: Ledger,
  targets: Targets,
  options: { retryMs?: number; now?: number } = {},
): Promise<Verification> {
  const now = options.now ?? Date.now();
  const expectations = ledger.expectations(now);
  const counted = expectations.reduce((n, e) => n + e.writes.length, 0);
  const deadline = Date.now() + (options.retryMs ?? 30_000);
  const lostWrites: LostWrite[] = [];
  const duplicateWrites: DuplicateWrite[] = [];
  const errors: Partial<Record<Store, string>> = {};
  let verified = 0;
  let unverified = 0;
  const observe = {
    postgres: (mine: readonly Expectation[]) => observePostgres(targets.postgresApp, mine),
    redis: (mine: readonly Expectation[]) => observeRedisStores(targets, mine),
  };
  for (const store of ["postgres", "redis"] as const) {
    const mine = expectations.filter((e) => e.store === store);
    const writes = mine.reduce((n, e) => n + e.writes.length, 0);
    if (mine.length === 0) continue;
    try {
      const observed = await withRetry(deadline, () => observe[store](mine));
      const lost = judge(mine, observed);
      lostWrites.push(...lost);
      duplicateWrites.push(...judgeDuplicates(mine, observed));
      verified += writes - lost.reduce((n, l) => n + l.lost, 0);
    } catch (err) {
      errors[store] = (err as Error).message;
      unverified += writes;
    }
  }
  return {
    acknowledged: ledger.size,
    expired: ledger.size - counted,
    verified,
    lost: lostWrites.reduce((n, l) => n + l.lost, 0),
    unverified,
    lostWrites,
    duplicated: duplicateWrites.reduce((n, d) => n + d.duplicated, 0),
    duplicateWrites,
    errors,
  };
}
