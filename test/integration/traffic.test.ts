// The traffic harness against real servers: PostgreSQL 17 bootstrapped and migrated as the stack does it, and
// redis-server with the rendered redis.conf. Its verification must catch writes that vanish behind its back,
// and its failures must name the error.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Redis from "ioredis";
import { pgClient } from "../../testbed/pg-client";
import { REDIS_USERS } from "../../stack/credentials/roles";
import { DEFAULT_CACHE_KEY_PATTERNS } from "../../stack/redis/key-patterns";
import { redisPasswordHash } from "../../stack/redis/conf";
import { sharedPostgres } from "../../testbed/postgres";
import { RedisServer, startRedis } from "../../testbed/redis-server";
import { ROOT } from "../../testbed/stack";
import { redisStoreOf, start, verifyLedger, type Targets, type TrafficReport } from "../../testbed/traffic";
import { preparedDatabase, type PreparedDatabase } from "../support/prepared";

const ADMIN_PASSWORD = "admin-Pw-0123456789abcdefghijklmnopqrstu";
const APP_PASSWORD = "app-Pw-0123456789abcdefghijklmnopqrstuvw";

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["-r", "./tools/ts-register.cjs", "testbed/traffic/main.ts", ...args],
      {
        cwd: ROOT,
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1", ...env },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Waits until `done()` holds (the mix is random: some operations are rare), at most `ms`. */
async function until(done: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe("traffic harness against real PostgreSQL and redis-server", function () {
  this.timeout(60_000);
  let db: PreparedDatabase;
  let redis: RedisServer;
  let redisCache: RedisServer;
  let targets: Targets;

  before(async () => {
    db = await preparedDatabase(await sharedPostgres(), "traffic");
    redis = await startRedis({
      maxmemoryMb: 64,
      adminUser: REDIS_USERS.admin,
      appUser: REDIS_USERS.app,
      adminPasswordHash: redisPasswordHash(ADMIN_PASSWORD),
      appPasswordHash: redisPasswordHash(APP_PASSWORD),
    });
    // The stack's two stores: the app user's cache families only in the cache store.
    redisCache = await startRedis({
      maxmemoryMb: 64,
      store: "cache",
      adminUser: REDIS_USERS.admin,
      appUser: REDIS_USERS.app,
      adminPasswordHash: redisPasswordHash(ADMIN_PASSWORD),
      appPasswordHash: redisPasswordHash(APP_PASSWORD),
      appAccess: { keyPatterns: DEFAULT_CACHE_KEY_PATTERNS, scan: true },
    });
    targets = {
      postgresApp: db.url("app"),
      postgresReadonly: db.url("readonly"),
      redisApp: `redis://${REDIS_USERS.app}:${APP_PASSWORD}@127.0.0.1:${redis.port}/0`,
      redisCache: `redis://${REDIS_USERS.app}:${APP_PASSWORD}@127.0.0.1:${redisCache.port}/0`,
    };
  });
  after(async () => {
    await redis?.stop();
    await redisCache?.stop();
  });

  it("runs every access pattern with 0 failures, opens connections all along, and finds every acknowledged write", async () => {
    const traffic = start({
      targets,
      durationMs: 60_000,
      ratePerSecond: 400,
      concurrency: 4,
    });
    const probes = [
      "users.login_count",
      "user_sessions.token_hash",
      "user_module_progress.attempts",
      "user_grids.grid_identity",
      "redis.get",
      "redis.set",
      "redis.zset",
      "redis.list",
      "redis.counter",
      "redis.hget",
    ];
    await until(
      () =>
        traffic.requests() >= 400 && probes.every((p) => traffic.ledger.records().some((w) => w.probe === p)),
    );
    const report = await traffic.stop();
    assert.deepEqual(
      { pg: report.stores.postgres.failuresByError, redis: report.stores.redis.failuresByError },
      { pg: {}, redis: {} },
    );
    assert.ok(report.stores.postgres.requests > 50, `${report.stores.postgres.requests} postgres requests`);
    assert.ok(report.stores.redis.requests > 50, `${report.stores.redis.requests} redis requests`);
    // 4 workers × 3 connections to start with, plus fresh and recycled ones.
    assert.ok(
      report.stores.postgres.connectionsOpened > 8,
      `${report.stores.postgres.connectionsOpened} opened`,
    );
    assert.ok(report.stores.redis.connectionsOpened > 4, `${report.stores.redis.connectionsOpened} opened`);
    assert.ok(report.writes.acknowledged > 50);
    assert.equal(report.writes.lost, 0, JSON.stringify(report.writes.lostWrites));
    assert.equal(report.writes.unverified, 0);
    assert.equal(report.writes.verified + report.writes.expired, report.writes.acknowledged);
    for (const probe of probes)
      assert.ok(
        traffic.ledger.records().some((w) => w.probe === probe),
        `no acknowledged write checked by ${probe}`,
      );
    assert.equal(typeof report.stores.postgres.p99Ms, "number");
  });

  it("reports as lost exactly the acknowledged writes removed behind its back", async () => {
    const traffic = start({ targets, durationMs: 60_000, ratePerSecond: 300 });
    const has = (probe: string) => traffic.ledger.records().some((w) => w.probe === probe);
    await until(() => ["user_sessions.token_hash", "user_grids.grid_identity", "redis.set"].every(has));
    // Removed while the run goes on: each of these tags is written once, so nothing rewrites them.
    const records = traffic.ledger.records();
    const session = records.find((w) => w.probe === "user_sessions.token_hash");
    const grid = records.find((w) => w.probe === "user_grids.grid_identity");
    const member = records.find((w) => w.probe === "redis.set");
    assert.ok(session && grid && member, "the run acknowledged a session, a grid and a set member");
    const owner = pgClient(db.as("admin"));
    await owner.connect();
    try {
      await owner.query("DELETE FROM user_sessions WHERE token_hash = decode($1, 'hex')", [session.key]);
      // user_grids cannot be deleted by the app (history); the superuser moves the grid to another identity.
      await owner.query("UPDATE user_grids SET grid_identity = repeat('0', 64) WHERE grid_identity = $1", [
        grid.key,
      ]);
    } finally {
      await owner.end();
    }
    // From the store the harness sent that family to.
    const port = (redisStoreOf(member.key) === "cache" ? redisCache : redis).port;
    const admin = new Redis(`redis://${REDIS_USERS.admin}:${ADMIN_PASSWORD}@127.0.0.1:${port}/0`);
    await admin.srem(member.key, member.value as string);
    admin.disconnect();
    const report = await traffic.stop();
    const acked = traffic.ledger.records();
    const lost = report.writes.lostWrites.map((l) => `${l.probe} ${l.key}`).sort();
    const expected = [
      `redis.set ${member.key}`,
      `user_grids.grid_identity ${grid.key}`,
      `user_sessions.token_hash ${session.key}`,
    ];
    // A revocation of the deleted session, if acknowledged, is lost with it.
    const revoked = acked.some((w) => w.probe === "user_sessions.revoked" && w.key === session.key);
    const activated = acked.some((w) => w.probe === "user_grids.active" && w.key === grid.key);
    if (revoked) expected.push(`user_sessions.revoked ${session.key}`);
    if (activated) expected.push(`user_grids.active ${grid.key}`);
    assert.deepEqual(lost, expected.sort());
    assert.equal(report.writes.lost, expected.length);
  });

  it("verifying with credentials that no longer log in reports the writes unverified at once, without retrying", async () => {
    const traffic = start({ targets, durationMs: 60_000, ratePerSecond: 300 });
    const has = (store: string) => traffic.ledger.records().some((w) => w.probe.startsWith(store));
    await until(() => has("redis.") && has("user"));
    await traffic.stop();
    const wrong = (url: string) => Object.assign(new URL(url), { password: "rotated-away" }).toString();
    // A retry window far beyond this test's timeout: only giving up at the first refusal finishes in time.
    const v = await verifyLedger(
      traffic.ledger,
      {
        ...targets,
        postgresApp: wrong(targets.postgresApp),
        redisApp: wrong(targets.redisApp),
        redisCache: wrong(targets.redisCache),
      },
      { retryMs: 10 * 60_000 },
    );
    assert.match(v.errors.postgres ?? "", /password authentication failed/);
    assert.match(v.errors.redis ?? "", /^WRONGPASS/);
    assert.equal(v.verified, 0);
    assert.equal(v.unverified + v.expired, v.acknowledged);
    assert.equal(v.lost, 0, "what could not be read is never counted as lost");
  });

  it("counts failures by the server's error: WRONGPASS for Redis, 28P01 for PostgreSQL", async () => {
    const wrong = (url: string) => {
      const u = new URL(url);
      u.password = "not-the-password";
      return u.toString();
    };
    const traffic = start({
      targets: {
        ...targets,
        postgresApp: wrong(targets.postgresApp),
        redisApp: wrong(targets.redisApp),
        redisCache: wrong(targets.redisCache),
      },
      durationMs: 60_000,
      ratePerSecond: 100,
    });
    await until(() => {
      const ops = traffic.operations();
      return (ops["pg.readonly_reports"]?.requests ?? 0) > 0 && (ops["pg.sign_in"]?.failures ?? 0) > 0;
    });
    const report: TrafficReport = await traffic.stop();
    const keys = (s: "postgres" | "redis") => Object.keys(report.stores[s].failuresByError);
    assert.ok(
      keys("redis").length > 0 && keys("redis").every((k) => k.startsWith("WRONGPASS")),
      keys("redis").join(),
    );
    // The readonly role's reports still work; every app-role request fails authentication.
    assert.ok(
      keys("postgres").every((k) => k.startsWith("28P01")),
      keys("postgres").join(),
    );
    assert.ok(report.operations["pg.readonly_reports"]?.requests > 0);
    assert.equal(report.operations["pg.readonly_reports"].failures, 0);
    assert.equal(report.stores.redis.failures, report.stores.redis.requests);
  });

  it("as a CLI: URLs from the environment, --json report, exit 0; a URL on argv is refused with exit 2", async () => {
    const env = {
      DATABASE_URL: targets.postgresApp,
      READONLY_DATABASE_URL: targets.postgresReadonly,
      REDIS_URL: targets.redisApp,
      REDIS_CACHE_URL: targets.redisCache,
    };
    const ledger = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-traffic-")), "ledger.json");
    const ok = await runCli(["--duration", "1", "--json", "--ledger-out", ledger], env);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const report = JSON.parse(ok.stdout) as TrafficReport;
    assert.ok(report.stores.postgres.requests > 0 && report.stores.redis.requests > 0);
    assert.ok(!ok.stdout.includes(APP_PASSWORD) && !ok.stderr.includes(APP_PASSWORD));
    // The saved ledger verifies again from another process (as after destroy + up).
    const again = await runCli(["--verify-ledger", ledger, "--json"], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).writes.lost, 0);
    assert.ok(JSON.parse(again.stdout).writes.verified > 0);
    const refused = await runCli(["--redis-url", targets.redisApp], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /not accepted on the command line/);
    assert.ok(!refused.stderr.includes(APP_PASSWORD));
  });
});
