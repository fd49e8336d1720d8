// The traffic harness's pure parts: percentiles, error grouping, the ledger's expectations and judgement,
// report rendering, targets and argument parsing. No servers.
import { strict as assert } from "node:assert";
import {
  ALL_FAMILIES,
  Ledger,
  SEED_FAMILIES,
  StoreStats,
  checkTargets,
  errorKey,
  FAMILY_STORES,
  familiesGranted,
  redisStoreOf,
  judge,
  judgeDuplicates,
  operationsFor,
  percentile,
  renderEventTable,
  renderReport,
  resolveOptions,
  targetsFromEnv,
  targetsFromOutputs,
  type TrafficReport,
  type WriteRecord,
} from "../../testbed/traffic";
import {
  CLIENT_PROFILES,
  classifyRedisError,
  mayResend,
  redisOptions,
} from "../../testbed/traffic/client-profile";
import { optionsFromFlags, trafficArgs } from "../../testbed/traffic/main";
import { pick } from "../../testbed/traffic/runner";
import type { User } from "../../testbed/traffic/workload";
import { DEFAULT_APP_KEY_PATTERNS, DEFAULT_CACHE_KEY_PATTERNS } from "../../stack/redis/key-patterns";

const write = (over: Partial<WriteRecord>): WriteRecord => ({
  id: "w",
  store: "redis",
  probe: "redis.get",
  check: "value",
  key: "k",
  at: 1_000,
  ...over,
});

describe("traffic harness: statistics", () => {
  it("percentile is the nearest-rank value: always an observed one, p100 is the maximum", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(percentile(values, 50), 5);
    assert.equal(percentile(values, 90), 9);
    assert.equal(percentile(values, 99), 10);
    assert.equal(percentile(values, 100), 10);
    assert.equal(percentile([42], 1), 42);
    assert.equal(percentile([], 50), undefined);
    assert.throws(() => percentile(values, 0), /p must be in \(0, 100\]/);
    // 1..1000: p99 is the 990th value.
    assert.equal(
      percentile(
        Array.from({ length: 1000 }, (_, i) => 1000 - i),
        99,
      ),
      990,
    );
  });

  it("groups failures by server code (SQLSTATE, Redis prefix, errno) with digits and quoted names folded", () => {
    assert.equal(
      errorKey(
        Object.assign(new Error('password authentication failed for user "offthegrid_app"'), {
          code: "28P01",
        }),
      ),
      "28P01: password authentication failed for user …",
    );
    assert.equal(
      errorKey(new Error("NOPERM this user has no permissions to access one of the keys used as arguments")),
      "NOPERM: NOPERM this user has no permissions to access one of the keys used as arguments",
    );
    const refused = (port: number) =>
      Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: "ECONNREFUSED" });
    assert.equal(errorKey(refused(5432)), errorKey(refused(6390)));
    assert.equal(errorKey("boom"), "boom");
  });

  it("StoreStats counts successes and failures as requests; latencies only from successes", () => {
    const s = new StoreStats();
    [3, 1, 2].forEach((ms) => s.succeeded(ms));
    s.failed(Object.assign(new Error("x"), { code: "ECONNRESET" }));
    s.failed(Object.assign(new Error("x"), { code: "ECONNRESET" }));
    s.failed(Object.assign(new Error("y"), { code: "57P01" }));
    const f = s.figures();
    assert.equal(f.requests, 6);
    assert.equal(f.failures, 3);
    assert.deepEqual(Object.entries(f.failuresByError), [
      ["ECONNRESET: x", 2],
      ["57P01: y", 1],
    ]);
    assert.deepEqual([f.p50Ms, f.p99Ms, f.maxMs], [2, 3, 3]);
  });
});

describe("traffic harness: the ledger of acknowledged writes", () => {
  it("expects the last acknowledged value of an overwritten key, or a later unacknowledged one", () => {
    const l = new Ledger();
    l.ack(write({ id: "a", value: "a" }));
    l.unacknowledged("k", "lost-reply-1");
    l.ack(write({ id: "b", value: "b" }));
    l.unacknowledged("k", "lost-reply-2");
    const [e] = l.expectations(2_000);
    assert.deepEqual(e.accepted, ["b", "lost-reply-2"]);
    assert.deepEqual(e.writes, ["a", "b"]);
    assert.deepEqual(judge([e], ["lost-reply-2"]), []);
    assert.deepEqual(judge([e], ["b"]), []);
    const [lost] = judge([e], ["a"]);
    assert.equal(lost.lost, 1);
    assert.equal(lost.observed, "a");
    assert.equal(judge([e], [null])[0].observed, "absent");
  });

  it("a counter must reach the acknowledged count; a shortfall is that many lost writes", () => {
    const l = new Ledger();
    for (const id of ["1", "2", "3"])
      l.ack(write({ id, probe: "users.login_count", store: "postgres", check: "count" }));
    const [e] = l.expectations(2_000);
    assert.equal(e.atLeast, 3);
    assert.deepEqual(judge([e], [3]), []);
    assert.equal(judge([e], [1])[0].lost, 2);
    assert.equal(judge([e], [null])[0].lost, 3);
  });

  it("a counter above every increment sent (acknowledged or not) is an increment applied twice", () => {
    const l = new Ledger();
    const counter = { probe: "redis.counter", check: "count" as const, key: "activity:u:quiz" };
    for (const id of ["1", "2", "3"]) l.ack(write({ id, ...counter }));
    l.unacknowledgedIncrement("redis", "redis.counter", "activity:u:quiz");
    const [e] = l.expectations(2_000);
    assert.deepEqual([e.atLeast, e.atMost], [3, 4]);
    assert.deepEqual(judge([e], ["4"]), [], "an unacknowledged increment that was applied is fine");
    assert.deepEqual(judgeDuplicates([e], [4]), []);
    assert.deepEqual(judgeDuplicates([e], [2]), [], "a shortfall is lost, not duplicated");
    const [dup] = judgeDuplicates([e], ["5"]);
    assert.deepEqual([dup.expected, dup.observed, dup.duplicated], ["3..4", "5", 1]);
    assert.deepEqual(judge([e], ["5"]), [], "nothing lost");
    // Verified in another process: the unacknowledged increments travel with the ledger.
    const copy = Ledger.fromJSON(JSON.parse(JSON.stringify(l.toJSON())));
    assert.equal(copy.expectations(2_000)[0].atMost, 4);
    // Once early increments are past their TTL while the key lives on (each INCR renews it): no upper bound.
    const old = new Ledger();
    old.ack(write({ id: "a", ...counter, at: 0, ttlMs: 1_000 }));
    old.ack(write({ id: "b", ...counter, at: 100_000, ttlMs: 1_000_000 }));
    assert.equal(old.expectations(50_000)[0].atMost, undefined);
  });

  it("set members are checked one by one; a list by its last acknowledged element", () => {
    const l = new Ledger();
    l.ack(write({ id: "m1", probe: "redis.set", check: "member", key: "s", value: "m1" }));
    l.ack(write({ id: "m2", probe: "redis.set", check: "member", key: "s", value: "m2" }));
    l.ack(write({ id: "i1", probe: "redis.list", check: "member", key: "l", value: "i1" }));
    l.ack(write({ id: "i2", probe: "redis.list", check: "member", key: "l", value: "i2" }));
    const es = l.expectations(2_000);
    assert.deepEqual(
      es.map((e) => [e.key, e.member]),
      [
        ["s", "m1"],
        ["s", "m2"],
        ["l", "i2"],
      ],
    );
    assert.deepEqual(
      judge(es, [true, false, true]).map((x) => x.sample),
      [["m2"]],
    );
  });

  it("rows and flags: absent or false is lost; keys past their TTL are not expected", () => {
    const l = new Ledger();
    l.ack(write({ id: "r", store: "postgres", probe: "user_grids.grid_identity", check: "row", key: "g" }));
    l.ack(write({ id: "f", store: "postgres", probe: "user_grids.active", check: "flag", key: "g" }));
    l.ack(write({ id: "t", key: "temp:1", value: "t", at: 1_000, ttlMs: 30_000 }));
    assert.equal(l.expectations(1_000 + 30_000 - 6_000).length, 3);
    const es = l.expectations(1_000 + 30_000 - 4_000);
    assert.deepEqual(
      es.map((e) => e.writes[0]),
      ["r", "f"],
    );
    assert.deepEqual(judge(es, [true, true]), []);
    assert.deepEqual(
      judge(es, [null, false]).map((x) => x.lost),
      [1, 1],
    );
  });

  it("survives a round trip through JSON (a ledger verified by another process)", () => {
    const l = new Ledger();
    l.ack(write({ id: "a", value: "a" }));
    l.unacknowledged("k", "x");
    const copy = Ledger.fromJSON(JSON.parse(JSON.stringify(l.toJSON())));
    assert.deepEqual(copy.expectations(2_000), l.expectations(2_000));
  });
});

function report(over: { failures?: number; lost?: number } = {}): TrafficReport {
  const failuresByError: Record<string, number> = over.failures
    ? { "ECONNREFUSED: connect ECONNREFUSED N.N.N.N:N": over.failures }
    : {};
  const store = {
    requests: 120,
    failures: over.failures ?? 0,
    failuresByError,
    p50Ms: 1.234,
    p99Ms: 12.5,
    maxMs: 30,
    connectionsOpened: 14,
  };
  return {
    startedAt: "2026-12-02T12:00:00.000Z",
    durationMs: 10_000,
    targets: { postgresApp: "offthegrid_app@127.0.0.1:5432/offthegrid" },
    stores: { postgres: store, redis: { ...store, p50Ms: undefined, p99Ms: undefined } },
    operations: {},
    writes: {
      acknowledged: 50,
      expired: 2,
      verified: 48 - (over.lost ?? 0),
      lost: over.lost ?? 0,
      unverified: 0,
      lostByStore: { postgres: 0, redis: over.lost ?? 0 },
      lostWrites: over.lost
        ? [
            {
              store: "redis",
              probe: "redis.get",
              key: "temp:x",
              expected: "v",
              observed: "absent",
              lost: 1,
              sample: ["v"],
            },
          ]
        : [],
      duplicated: 0,
      duplicateWrites: [],
      verifyErrors: {},
    },
  };
}

describe("traffic harness: client profiles", () => {
  it("classifies Redis failures by what the server can have done with the command", () => {
    const err = (message: string, extra: object = {}) => Object.assign(new Error(message), extra);
    const cases: [Error, string][] = [
      [err("Stream isn't writeable and enableOfflineQueue options is false"), "unsent"],
      [err("LOADING Redis is loading the dataset in memory"), "unsent"],
      [err("connect ECONNREFUSED 127.0.0.1:6379", { code: "ECONNREFUSED" }), "unsent"],
      [
        err("Reached the max retries per request limit (which is 0).", { name: "MaxRetriesPerRequestError" }),
        "in-flight",
      ],
      [err("Connection is closed."), "in-flight"],
      [err("Command aborted due to connection close"), "in-flight"],
      [err("Command timed out"), "timeout"],
      [err("NOPERM User offthegrid_app has no permissions to access the 'x' key"), "answer"],
      [err("WRONGPASS invalid username-password pair or user is disabled."), "answer"],
    ];
    assert.deepEqual(
      cases.map(([e]) => classifyRedisError(e)),
      cases.map(([, k]) => k),
    );
  });

  it("app: resends what the server cannot have read, and in-flight or timed-out requests only if idempotent", () => {
    const check = { applied: async () => false };
    assert.deepEqual(
      (["unsent", "in-flight", "timeout", "answer"] as const).map((f) => [
        mayResend(f, "idempotent"),
        mayResend(f, "once"),
        mayResend(f, check),
      ]),
      [
        [true, true, true],
        [true, false, false],
        [true, false, false],
        [false, false, false],
      ],
    );
    // ioredis never resends on its own: no offline queue, no resend of unfulfilled commands.
    for (const profile of CLIENT_PROFILES) {
      const o = redisOptions(profile);
      assert.deepEqual(
        [o.enableOfflineQueue, o.autoResendUnfulfilledCommands, o.maxRetriesPerRequest],
        [false, false, 0],
      );
    }
    assert.equal(redisOptions("strict").retryStrategy?.(1), null);
    assert.deepEqual(
      [1, 2, 5, 10].map((n) => redisOptions("app").retryStrategy?.(n)),
      [50, 100, 800, 1000],
    );
    assert.throws(
      () => resolveOptions({ targets: {} as never, client: "eager" as never }),
      /Invalid value for client: eager/,
    );
  });
});

describe("traffic harness: reports", () => {
  it("renders the event table: one row per event and store, missing latencies as -", () => {
    const lines = renderEventTable([
      { event: "first up", report: report() },
      { event: "Redis restart", report: report({ failures: 7, lost: 1 }) },
    ]);
    assert.equal(lines.length, 2 + 4);
    assert.match(
      lines[0],
      /^\| event +\| store +\| requests \| failures \| lost writes \| p50 ms \| p99 ms \|$/,
    );
    assert.match(lines[2], /^\| first up +\| postgres \| 120 +\| 0 +\| 0 +\| 1\.2 +\| 12\.5 +\|$/);
    assert.match(lines[5], /^\| Redis restart \| redis +\| 120 +\| 7 +\| 1 +\| - +\| - +\|$/);
    assert.equal(new Set(lines.map((l) => l.length)).size, 1, "columns padded to one width");
  });

  it("renders failures by error and each lost write in the text report", () => {
    const text = renderReport(report({ failures: 3, lost: 1 })).join("\n");
    assert.match(text, /postgres {2}3 × ECONNREFUSED/);
    assert.match(
      text,
      /acknowledged writes: 50; verified 47, lost 1, unverified 0, expired by design \(TTL\) 2/,
    );
    assert.match(text, /lost: redis redis\.get temp:x: expected v, found absent/);
  });
});

describe("traffic harness: targets, options and arguments", () => {
  const outputs = {
    postgresUrls: {
      app: "postgresql://offthegrid_app:pw@127.0.0.1:5432/offthegrid?sslmode=disable",
      readonly: "postgresql://offthegrid_readonly:pw@localhost:5432/offthegrid",
    },
    redisUrls: { app: "redis://app:pw@127.0.0.1:6379/0", cacheApp: "redis://app:pw@127.0.0.1:6380/0" },
  };

  it("reads the app, readonly and both Redis stores' app URLs from stack outputs", () => {
    const t = targetsFromOutputs(outputs);
    assert.equal(t.postgresReadonly, outputs.postgresUrls.readonly);
    assert.equal(t.redisApp, outputs.redisUrls.app);
    assert.equal(t.redisCache, outputs.redisUrls.cacheApp);
    assert.throws(
      () => targetsFromOutputs({ ...outputs, redisUrls: { app: outputs.redisUrls.app } }),
      /redisUrls\.cacheApp is missing/,
    );
  });

  it("refuses masked or missing outputs and non-loopback hosts, naming the key and never the password", () => {
    assert.throws(
      () => targetsFromOutputs({ ...outputs, redisUrls: "[secret]" }),
      /redisUrls\.app is missing/,
    );
    assert.throws(
      () => targetsFromOutputs({ ...outputs, postgresUrls: { ...outputs.postgresUrls, app: "[secret]" } }),
      /postgresUrls\.app is masked; use pulumi stack output --json --show-secrets/,
    );
    const remote = {
      ...outputs.postgresUrls,
      app: "postgresql://offthegrid_app:sekrit@db.example.com:5432/x",
    };
    assert.throws(
      () => targetsFromOutputs({ ...outputs, postgresUrls: remote }),
      (err: Error) =>
        /host db\.example\.com is not loopback/.test(err.message) && !err.message.includes("sekrit"),
    );
    assert.throws(
      () =>
        checkTargets({
          postgresApp: remote.readonly,
          postgresReadonly: remote.readonly,
          redisApp: "http://127.0.0.1/",
          redisCache: "redis://127.0.0.1:6380/0",
        }),
      /redis app URL: scheme http: is not allowed; allowed: redis, rediss/,
    );
    assert.throws(
      () => targetsFromEnv({ DATABASE_URL: outputs.postgresUrls.app }),
      /READONLY_DATABASE_URL, REDIS_URL, REDIS_CACHE_URL not set/,
    );
  });

  it("refuses URLs on the command line, in any flag form or as a bare argument", () => {
    for (const argv of [
      ["--database-url", "postgresql://u:p@127.0.0.1/x"],
      ["--redis-url=redis://u:p@127.0.0.1"],
    ])
      assert.throws(() => trafficArgs(argv), /not accepted on the command line/, argv.join(" "));
    assert.throws(() => trafficArgs(["redis://u:p@127.0.0.1"]), /"traffic" takes no arguments/);
    assert.throws(() => trafficArgs(["--duration"]), /--duration needs a value/);
    assert.throws(() => trafficArgs(["--frobnicate"]), /unknown option --frobnicate for "traffic"/);
    assert.throws(
      () => optionsFromFlags(trafficArgs(["--rate", "fast"])),
      /--rate must be a number, got fast/,
    );
    const o = optionsFromFlags(
      trafficArgs(["--duration=2.5", "--redis-families", "seed", "--stores", "redis"]),
    );
    assert.equal(o.durationMs, 2500);
    assert.deepEqual(o.redisFamilies, SEED_FAMILIES);
    assert.deepEqual(o.stores, ["redis"]);
  });

  it("bounds every option and names the allowed values", () => {
    assert.throws(
      () => resolveOptions({ targets: {} as never, durationMs: 0 }),
      /durationMs: 0\. Allowed values are 100 to 1800000/,
    );
    assert.throws(() => resolveOptions({ targets: {} as never, concurrency: 1000 }), /concurrency: 1000/);
    assert.throws(
      () => resolveOptions({ targets: {} as never, stores: ["mysql" as never] }),
      /Allowed values are: postgres, redis/,
    );
    assert.throws(
      () => resolveOptions({ targets: {} as never, redisFamilies: ["nope:{x}"] }),
      /redisFamilies: nope/,
    );
  });

  it("runs only the allowed stores and families, and every family is exercised by some operation", () => {
    const seed = operationsFor(["redis"], SEED_FAMILIES);
    assert.ok(seed.length > 0 && seed.every((op) => op.store === "redis"));
    assert.ok(
      seed.every((op) => op.families?.every((f) => (SEED_FAMILIES as readonly string[]).includes(f))),
    );
    const all = operationsFor(["postgres", "redis"], ALL_FAMILIES);
    for (const f of ALL_FAMILIES)
      assert.ok(
        all.some((op) => op.families?.includes(f)),
        f,
      );
    const user: User = { wallet: "w", localId: "u", sessions: [], grids: [], connections: [] };
    // A user who has not signed in can only sign in or read reports (PostgreSQL).
    const pg = operationsFor(["postgres"], []);
    const names = new Set(Array.from({ length: 50 }, (_, i) => pick(pg, user, i / 50)?.name));
    assert.deepEqual([...names].sort(), ["pg.readonly_reports", "pg.sign_in"]);
  });

  it("maps ACL key patterns to the families they grant", () => {
    assert.deepEqual(familiesGranted(["session:*", "temp:*"]), ["session:{user_id}", "temp:{key}"]);
    assert.deepEqual(familiesGranted(["user:*:sessions"]), ["user:{id}:sessions"]);
    assert.deepEqual(familiesGranted(["user:*"]), [
      "user:{id}:sessions",
      "user:{id}:connections",
      "user:{id}:recent_activities",
    ]);
    assert.deepEqual(familiesGranted(["*"]), ALL_FAMILIES);
    assert.deepEqual(familiesGranted([]), []);
    // The stack's default ACLs, the two stores together, grant every family the harness exercises (the app's
    // real ones); each family in exactly one store, the one the harness sends it to.
    const state = familiesGranted(DEFAULT_APP_KEY_PATTERNS);
    const cache = familiesGranted(DEFAULT_CACHE_KEY_PATTERNS);
    assert.deepEqual([...state, ...cache].sort(), [...ALL_FAMILIES].sort());
    assert.deepEqual(
      state.filter((f) => cache.includes(f)),
      [],
    );
    for (const f of ALL_FAMILIES) assert.equal(FAMILY_STORES[f], state.includes(f) ? "state" : "cache", f);
    for (const f of ["session:{user_id}", "jwt_blacklist:{jti}", "rate_limit:{user_id}:{type}", "grid:{id}"])
      assert.equal(FAMILY_STORES[f], "state", f);
    // The ledger's probe keys route too (a hash field is probed as "key field").
    assert.equal(redisStoreOf("grid:u1-0 updated"), "state");
    assert.equal(redisStoreOf("user:u1:recent_activities"), "cache");
    assert.equal(redisStoreOf("user:u1:sessions"), "state");
  });
});
