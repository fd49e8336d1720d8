// The invariant: no client of a non-admin user, and no unauthenticated connection, can push
// Redis' used memory past maxmemory plus a stated margin, or make an admin write fail. Each way a client
// holds memory (a half-sent value in its query buffer, a queued MULTI, replies it never reads), as the app
// user, as the `healthcheck` user (any password) and without AUTH, against a real redis-server with the
// stack's rendered redis.conf (stack/redis/conf.ts, client bounds from stack/redis/client-limits.ts). The
// server runs with a 32 MB maxmemory so the floods stay small: the margin is stated relative to it.
import { strict as assert } from "node:assert";
import Redis from "ioredis";
import type { RedisServer } from "../../testbed/redis-server";
import { MAXMEMORY_CLIENTS_PERCENT } from "../../stack/redis/client-limits";
import { RawClient, info, push, rawClient, resp, settle, startStackRedis } from "./redis-raw";

const ADMIN = "adv-memory-admin-Pw-0123456789abcdef";
const APP = "adv-memory-app-Pw-0123456789abcdefgh";
const MAXMEMORY_MB = 32;
const MB = 1024 * 1024;
/** All clients together may hold 10 % of maxmemory; 2 MB more for reads in flight and allocator slack. */
const BOUND = MAXMEMORY_MB * MB * (1 + MAXMEMORY_CLIENTS_PERCENT / 100) + 2 * MB;
const SEEDED = 2006;

describe("adversarial: Redis memory per client (real redis-server, the stack's redis.conf)", function () {
  let server: RedisServer;
  let admin: Redis;
  let attackers: RawClient[] = [];
  const connect = async (username: string, password: string) => {
    const client = new Redis({ host: "127.0.0.1", port: server.port, username, password, lazyConnect: true });
    client.on("error", () => undefined);
    await client.connect();
    return client;
  };
  const attacker = async (o: Parameters<typeof rawClient>[1]) => {
    const c = await rawClient(server.port, o);
    attackers.push(c);
    return c;
  };

  /** The invariant, while the attackers still hold their connections. */
  async function assertBounded(attack: string, ownKeys = 0): Promise<void> {
    const used = await settle(admin);
    const clients = await info(admin, "clients");
    const evicted = (await info(admin, "stats")).evicted_clients;
    const figures = `used_memory ${(used / MB).toFixed(1)} MB (bound ${(BOUND / MB).toFixed(1)} MB), ${
      attackers.filter((a) => !a.isClosed()).length
    }/${attackers.length} attacker connections open, ${clients.connected_clients} clients, ${evicted} evicted`;
    assert.ok(used <= BOUND, `${attack}: ${figures}`);
    assert.equal(await admin.dbsize(), SEEDED + ownKeys, `${attack}: keys were evicted (${figures})`);
    assert.equal(
      await admin.set("ops:probe", "x".repeat(512 * 1024)).catch((e: Error) => e.message),
      "OK",
      `${attack}: the admin's 512 KB write failed (${figures})`,
    );
  }

  /** What was there before: the app's sessions and revocations, the operators' notes (~1 MB). */
  async function seed(): Promise<void> {
    const app = await connect("app", APP);
    const pipeline = app.pipeline();
    for (let i = 0; i < 1000; i++) pipeline.set(`session:u${i}`, "s".repeat(400), "EX", 86_400);
    for (let i = 0; i < 1000; i++) pipeline.set(`jwt_blacklist:jti-${i}`, "1", "EX", 3600);
    await pipeline.exec();
    app.disconnect();
    for (let i = 0; i < 6; i++) await admin.set(`ops:note:${i}`, "maintenance notes");
  }

  before(async () => {
    server = await startStackRedis(MAXMEMORY_MB, ADMIN, APP);
    admin = await connect("admin", ADMIN);
  });
  beforeEach(() => seed());
  afterEach(async () => {
    attackers.forEach((a) => a.socket.destroy());
    attackers = [];
    await admin.call("CLIENT", "KILL", "SKIPME", "yes").catch(() => undefined);
    await admin.flushall();
  });
  after(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it("SET headers announcing 400 MB with 12 MB of each sent, left open (app x4, healthcheck x2)", async () => {
    const header = resp("SET", "session:upload", "").subarray(0, -6); // up to the value's length line
    for (const auth of [...Array(4).fill(["app", APP]), ...Array(2).fill(["healthcheck", "any"])]) {
      const c = await attacker({ auth });
      c.socket.write(Buffer.concat([header, Buffer.from("$400000000\r\n")]));
      await push(c, 12 * MB);
    }
    await assertBounded("half-sent values");
  });

  it("a MULTI queueing 60 SETs of 900 KB, never EXEC'd (app)", async () => {
    const c = await attacker({ auth: ["app", APP] });
    c.socket.write(resp("MULTI"));
    const value = Buffer.alloc(900 * 1024, 0x79);
    for (let i = 0; i < 60 && !c.isClosed(); i++) c.socket.write(resp("SET", `session:queued:${i}`, value));
    await assertBounded("queued MULTI");
  });

  it("20 connections each pipelining 10 LRANGEs of a 1 MB list, replies never read (app)", async () => {
    const app = await connect("app", APP);
    const item = "z".repeat(1000);
    for (let i = 0; i < 10; i++) await app.rpush("session:u1:history", ...Array(100).fill(item));
    app.disconnect();
    for (let i = 0; i < 20; i++) {
      const c = await attacker({ auth: ["app", APP], reading: false });
      for (let j = 0; j < 10; j++) c.socket.write(resp("LRANGE", "session:u1:history", "0", "-1"));
    }
    await assertBounded("unread replies", 1);
  });

  it("without AUTH: 2 million pipelined PINGs (NOAUTH replies) never read, and a 400 MB bulk header", async () => {
    for (let i = 0; i < 4; i++) {
      const c = await attacker({ reading: false });
      c.socket.write(Buffer.from("PING\r\n".repeat(500_000)));
    }
    const bulk = await attacker({});
    bulk.socket.write(Buffer.from("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$400000000\r\n"));
    await push(bulk, 4 * MB);
    await assertBounded("unauthenticated");
  });

  it("still serves the app's largest legitimate values: a 1,000,000-byte SET and GET, a MULTI rate-limit window", async () => {
    const app = await connect("app", APP);
    const value = "v".repeat(1_000_000);
    assert.equal(await app.set("session:big", value, "EX", 300), "OK");
    assert.equal((await app.get("session:big"))?.length, value.length);
    const window = await app
      .multi()
      .zadd("rate_limit:u1:api", Date.now(), "m1")
      .zcard("rate_limit:u1:api")
      .exec();
    assert.deepEqual(window, [
      [null, 1],
      [null, 1],
    ]);
    app.disconnect();
  });
});
