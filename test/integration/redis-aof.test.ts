// What survives a Redis restart with the rendered redis.conf (real redis-server, AOF appendfsync everysec):
// every acknowledged write, transactions included. Found under traffic (test/e2e/traffic.test.ts): with the
// default user at -@all, the AOF-loading client (which runs as the default user) had every MULTI/EXEC refused
// at EXEC's ACL re-check (redis/redis#14541) and the app's rate-limit windows and set updates vanished on
// each restart.
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Redis from "ioredis";
import { DEFAULT_APP_ACCESS } from "../../stack/redis/access";
import { redisPasswordHash, renderRedisConf } from "../../stack/redis/conf";
import { freePort, waitForPort } from "../../testbed/ports";
import { requireRedisServer } from "../../testbed/redis-server";

const ADMIN_PASSWORD = "admin-Pw-0123456789abcdefghijklmnopqrstu";
const APP_PASSWORD = "app-Pw-0123456789abcdefghijklmnopqrstuvw";

describe("Redis restart with the rendered redis.conf keeps every acknowledged write (real redis-server, AOF)", function () {
  this.timeout(30_000);
  let dir: string;
  let port: number;
  let server: { child: ChildProcess; exited: Promise<void> } | undefined;

  const start = async () => {
    const child = spawn("redis-server", [path.join(dir, "redis.conf")], { stdio: "ignore" });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    server = { child, exited };
    await waitForPort(port, 10_000);
  };
  const stop = async (signal: NodeJS.Signals) => {
    server?.child.kill(signal);
    await server?.exited;
    server = undefined;
  };
  const client = (username: string, password: string) =>
    new Redis({ port, host: "127.0.0.1", username, password, maxRetriesPerRequest: 0 });
  const app = () => client("app", APP_PASSWORD);

  before(async () => {
    requireRedisServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-redis-aof-"));
    port = await freePort();
    const conf = renderRedisConf({
      bind: ["127.0.0.1"],
      port,
      dir,
      maxmemoryMb: 64,
      adminUser: "admin",
      appUser: "app",
      adminPasswordHash: redisPasswordHash(ADMIN_PASSWORD),
      appPasswordHash: redisPasswordHash(APP_PASSWORD),
      appAccess: DEFAULT_APP_ACCESS,
    });
    fs.writeFileSync(path.join(dir, "redis.conf"), conf, { mode: 0o600 });
    await start();
  });
  after(async () => {
    await stop("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    it(`after ${signal}: plain writes, MULTI/EXEC transactions and script effects are all there`, async () => {
      const before = app();
      const tag = `${signal}-${Date.now()}`;
      await before.set(`session:${tag}`, "plain", "EX", 3600);
      // The app's sliding-window rate limit and set updates, as it sends them.
      const window = await before
        .multi()
        .zremrangebyscore(`rate_limit:${tag}:api`, 0, 1)
        .zadd(`rate_limit:${tag}:api`, 2, "req-1")
        .zcard(`rate_limit:${tag}:api`)
        .expire(`rate_limit:${tag}:api`, 3600)
        .exec();
      assert.deepEqual(
        window?.map(([err]) => err),
        [null, null, null, null],
      );
      await before
        .multi()
        .sadd(`ws_connections:${tag}`, "conn-1")
        .expire(`ws_connections:${tag}`, 3600)
        .exec();
      // Redis 7 writes a script's effects to the AOF (wrapped in MULTI/EXEC when it writes more than once);
      // the app user has no scripting, an operator may.
      const admin = client("admin", ADMIN_PASSWORD);
      await admin.eval(
        "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('EXPIRE', KEYS[1], 3600)",
        1,
        `grid:${tag}-scripted`,
        "scripted",
      );
      admin.disconnect();
      // appendfsync everysec: past the next fsync, so even SIGKILL finds these on disk.
      await new Promise((r) => setTimeout(r, 1_500));
      before.disconnect();
      await stop(signal);
      await start();
      const after = app();
      try {
        assert.deepEqual(
          {
            plain: await after.get(`session:${tag}`),
            window: await after.zscore(`rate_limit:${tag}:api`, "req-1"),
            set: await after.sismember(`ws_connections:${tag}`, "conn-1"),
            scripted: await after.get(`grid:${tag}-scripted`),
          },
          { plain: "plain", window: "2", set: 1, scripted: "scripted" },
        );
      } finally {
        after.disconnect();
      }
    });
  }
});
