// The dev stack under the real Pulumi CLI with the app's traffic running through every lifecycle event: the
// traffic harness runs as its own process (as the app would), one run per event, holding the URLs it started
// with. Through rotations and a migration no request may fail; through every event no acknowledged write may
// be lost. The figures are printed as the table docs/benchmarks.md carries (docs/runbooks.md sums it up).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { pgClient } from "../../testbed/pg-client";
import { EngineSession } from "../../testbed/engine/session";
import { redisAuth } from "../support/redis-auth";
import {
  EPOCH_KEYS,
  crashRedis,
  destroyAndUp,
  migrate,
  restartRedis,
  rotateAll,
} from "../../testbed/engine/lifecycle";
import { freePort } from "../../testbed/ports";
import {
  renderEventTable,
  spawnTraffic,
  verifySavedLedger,
  type EventRow,
  type TrafficReport,
  type WriteRecord,
} from "../../testbed/traffic";

const STACK = "dev";
// The credentials rotated under traffic: the PostgreSQL schema roles (alternating members) and both Redis
// users (two passwords each, applied live through the admin connection). The superuser is left out: one role
// cannot alternate, and in dev its rotation restarts PostgreSQL (bench:traffic measures it as its own event).
const ROTATED = EPOCH_KEYS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SQLSTATE of a login with `url` (undefined: it worked). */
async function pgLogin(url: string): Promise<string | undefined> {
  const client = pgClient({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function failures(report: TrafficReport): Record<string, Record<string, number>> {
  return { postgres: report.stores.postgres.failuresByError, redis: report.stores.redis.failuresByError };
}

describe("dev stack under live traffic (real CLI; the traffic harness as the app)", function () {
  this.timeout(180_000);
  let s: EngineSession;
  let dir: string;
  let outputs: Record<string, any>;
  const rows: EventRow[] = [];

  /**
   * Starts the harness with `urls`, waits until traffic flows, runs `event`, keeps the traffic on for
   * `settleMs`.
   */
  async function underTraffic<T>(
    event: string,
    urls: Record<string, any>,
    action: () => Promise<T>,
    settleMs = 2_000,
    client: "strict" | "app" = "strict",
  ): Promise<{ report: TrafficReport; result: T; ledgerFile: string }> {
    const run = spawnTraffic({
      outputs: urls,
      dir,
      name: event.replace(/\W+/g, "-"),
      args: ["--rate", "80", "--concurrency", "4", "--client", client],
    });
    await run.flowing;
    const result = await action();
    await sleep(settleMs);
    const report = await run.stop();
    rows.push({ event, report });
    return { report, result, ledgerFile: run.ledgerFile };
  }

  before(async () => {
    s = EngineSession.create("e2e-traffic");
    dir = fs.mkdtempSync(path.join(s.base, "traffic-"));
    await s.pulumi(["login", `file://${s.backend}`]);
    await s.pulumi(["stack", "init", STACK]);
    await s.freeStorePorts();
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    outputs = await s.outputs(STACK);
  });

  after(async () => {
    if (rows.length) console.log(["", ...renderEventTable(rows), ""].join("\n"));
    if (s && !process.env.OFFTHEGRID_KEEP_E2E) await s.dispose();
  });

  it("after the first `up`: the app's traffic runs with 0 failed requests and 0 lost writes", async () => {
    const { report } = await underTraffic("first up", outputs, () => sleep(1_000));
    assert.deepEqual(failures(report), { postgres: {}, redis: {} });
    assert.equal(report.writes.lost, 0, JSON.stringify(report.writes.lostWrites));
    assert.ok(report.writes.verified > 0);
  });

  let first: Record<string, any>;

  it("rotating the owner, app and readonly credentials while the app keeps its URLs: 0 failed requests, 0 lost writes", async () => {
    first = outputs;
    const { report } = await underTraffic("rotation 1 (PostgreSQL roles, Redis users)", first, () =>
      rotateAll(s, 1, ROTATED),
    );
    outputs = await s.outputs(STACK);
    for (const role of ["owner", "app", "readonly"])
      assert.notEqual(outputs.postgresUrls[role], first.postgresUrls[role], role);
    for (const user of ["app", "admin"])
      assert.notEqual(outputs.redisUrls[user], first.redisUrls[user], user);
    assert.deepEqual(failures(report), { postgres: {}, redis: {} });
    assert.equal(report.writes.lost, 0, JSON.stringify(report.writes.lostWrites));
    // The credential the harness does not use: the previous one still logs in too.
    assert.equal(await pgLogin(first.postgresUrls.owner), undefined);
  });

  it("a second rotation after rolling the app: the previous URLs keep working, the ones before are refused", async () => {
    const previous = outputs;
    const { report } = await underTraffic("rotation 2 (app rolled first)", previous, () =>
      rotateAll(s, 2, ROTATED),
    );
    outputs = await s.outputs(STACK);
    assert.deepEqual(failures(report), { postgres: {}, redis: {} });
    assert.equal(report.writes.lost, 0, JSON.stringify(report.writes.lostWrites));
    for (const role of ["owner", "app", "readonly"]) {
      assert.equal(await pgLogin(previous.postgresUrls[role]), undefined, `previous ${role}`);
      assert.equal(await pgLogin(first.postgresUrls[role]), "28P01", `first ${role}`);
    }
    for (const user of ["app", "admin"]) {
      assert.equal(await redisAuth(previous.redisUrls[user]), "+OK", `previous Redis ${user}`);
      assert.match(await redisAuth(first.redisUrls[user]), /^-WRONGPASS/, `first Redis ${user}`);
    }
  });

  it("a new migration on a hot table, applied by `up` under traffic: 0 failed requests, 0 lost writes", async () => {
    const { report } = await underTraffic("migration (ALTER user_sessions)", outputs, () =>
      migrate(s, "900_traffic_device", "ALTER TABLE user_sessions ADD COLUMN device text;"),
    );
    assert.deepEqual(failures(report), { postgres: {}, redis: {} });
    assert.equal(report.writes.lost, 0, JSON.stringify(report.writes.lostWrites));
  });

  it("Redis restarted (SIGTERM, as docker stop and a replacement do): failures while it is down, 0 writes lost", async () => {
    const { report } = await underTraffic("Redis restart (SIGTERM)", outputs, () => restartRedis(s));
    assert.deepEqual(report.stores.postgres.failuresByError, {});
    // A graceful stop makes redis-server fsync the AOF and save an RDB before exiting: every acknowledged
    // write survives. Requests in the gap fail (connection refused) and are counted, not asserted away.
    assert.ok(report.stores.redis.failures > 0, "the harness saw the outage");
    assert.equal(report.writes.lost, 0, JSON.stringify(report.writes.lostWrites));
    assert.equal(report.writes.unverified, 0);
    assert.equal(report.writes.duplicated, 0, JSON.stringify(report.writes.duplicateWrites));
  });

  it("Redis restarted (SIGTERM) with the client settings the app should run (--client app): 0 failed requests, 0 lost writes, no increment applied twice", async () => {
    // The same restart. The app profile waits for the connection (up to 10 s) and resends a request only when
    // that cannot apply it twice: never read by the server, idempotent, or (INCR, LPUSH) found not applied on
    // the restarted server (client-profile.ts). With --client strict this test fails: ~100 failed Redis
    // requests.
    const { report } = await underTraffic(
      "Redis restart (SIGTERM), --client app",
      outputs,
      () => restartRedis(s),
      2_000,
      "app",
    );
    assert.equal(report.client, "app");
    assert.deepEqual(failures(report), { postgres: {}, redis: {} });
    assert.equal(report.writes.lost, 0, JSON.stringify(report.writes.lostWrites));
    assert.equal(report.writes.unverified, 0);
    assert.equal(report.writes.duplicated, 0, JSON.stringify(report.writes.duplicateWrites));
    // Not vacuous: requests were held through the outage (the slowest waited for the restarted server).
    assert.ok(
      (report.stores.redis.maxMs ?? 0) >= 200,
      `slowest Redis request ${report.stores.redis.maxMs} ms`,
    );
    assert.ok(report.writes.verified > 0);
  });

  it("kill -9 of redis-server: anything lost was acknowledged within AOF everysec's window before the kill", async () => {
    const {
      report,
      result: killedAt,
      ledgerFile,
    } = await underTraffic("Redis kill -9 + start", outputs, () => crashRedis(s), 3_000);
    assert.deepEqual(report.stores.postgres.failuresByError, {});
    assert.equal(report.writes.unverified, 0);
    // appendfsync everysec: every acknowledged write was handed to the kernel (write(2)) before the reply,
    // except while a slow fsync postpones the write (at most 2 s); a killed process loses nothing the kernel
    // has. So a lost write can only be one acknowledged in the last 2 s before the kill.
    const acked = new Map(
      (JSON.parse(fs.readFileSync(ledgerFile, "utf8")).acked as WriteRecord[]).map((w) => [w.id, w.at]),
    );
    for (const lost of report.writes.lostWrites) {
      const at = acked.get(lost.sample[lost.sample.length - 1]) ?? 0;
      assert.ok(killedAt - at <= 2_000, `${lost.key} acknowledged ${killedAt - at} ms before the kill`);
    }
    console.log(`kill -9: ${report.writes.lost} of ${report.writes.acknowledged} acknowledged writes lost`);
  });

  it("postgresHostPort moved to a free port: reports how long no port answered (the container is replaced delete-first)", async () => {
    const before = outputs.postgresUrls.app as string;
    const next = await freePort();
    const at = (port: number) => {
      const url = new URL(before);
      url.port = String(port);
      return url.toString();
    };
    const oldUrl = at(Number(new URL(before).port));
    const newUrl = at(next);
    // What an app that switches to the new URL at once sees: the last answer on the old port, the first on
    // the new.
    let lastOld = Date.now();
    let firstNew: number | undefined;
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const started = Date.now();
        const [oldState, newState] = await Promise.all([pgLogin(oldUrl), firstNew ? "" : pgLogin(newUrl)]);
        if (oldState === undefined) lastOld = started;
        if (newState === undefined && firstNew === undefined) firstNew = Date.now();
        await sleep(25);
      }
    })();
    await s.pulumi(["config", "set", "postgresHostPort", String(next)]);
    const up = await s.pulumi(["up", "--yes", "--skip-preview"]);
    const deadline = Date.now() + 30_000;
    while (firstNew === undefined && Date.now() < deadline) await sleep(50);
    probing = false;
    await probe;
    outputs = await s.outputs(STACK);
    assert.equal(new URL(outputs.postgresUrls.app).port, String(next));
    assert.ok(firstNew !== undefined, "the new port answers");
    const outage = firstNew - lastOld;
    console.log(
      `postgresHostPort move (${new URL(before).port} → ${next}): no port answered for ${outage} ms ` +
        `(last login on the old port to first login on the new; \`up\` took ${up.ms} ms). An app holding the old ` +
        "URL is cut off until it takes the new one.",
    );
    assert.ok(outage > 0 && outage < up.ms, `${outage} ms`);
  });

  it("`destroy` + `up`: every write acknowledged before the destroy is there after the `up`", async () => {
    const { report, ledgerFile } = await underTraffic("destroy + up", outputs, () => destroyAndUp(s), 0);
    const after = await s.outputs(STACK);
    const verified = await verifySavedLedger({ outputs: after, dir, name: "destroy-verify", ledgerFile });
    rows[rows.length - 1] = { event: "destroy + up", report: { ...report, writes: verified.writes } };
    assert.deepEqual(verified.writes.verifyErrors, {});
    assert.equal(verified.writes.lost, 0, JSON.stringify(verified.writes.lostWrites));
    assert.ok(verified.writes.verified > 0);
  });
});
