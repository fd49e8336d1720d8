// Connections as the app, as `healthcheck` (any password) or without AUTH filled
// every slot, and the admin's PING got "max number of clients reached". Redis has no slots reserved for a
// user, so the answer is twofold (docs/runbooks.md, "Redis refuses connections"): idle connections are closed
// after `timeout` (the shipped redis.conf sets it; the seed had 0, never), and an admin who got in clears
// every other user's connections with CLIENT KILL USER. Against a real redis-server with the stack's rendered
// redis.conf; maxclients and timeout are lowered on it so that filling the slots and waiting them out take
// seconds.
import { strict as assert } from "node:assert";
import Redis from "ioredis";
import { RedisServer, startRedis } from "../../testbed/redis-server";
import { IDLE_TIMEOUT_SECONDS } from "../../stack/redis/client-limits";
import { redisPasswordHash } from "../../stack/redis/conf";
import { RawClient, rawClient, resp, sleep } from "./redis-raw";

const ADMIN = "adv-slots-admin-Pw-0123456789abcdefg";
const APP = "adv-slots-app-Pw-0123456789abcdefghij";
const SLOTS = 40;

describe("adversarial: Redis connection slots (real redis-server, the stack's redis.conf)", function () {
  let server: RedisServer;
  let control: Redis;
  let flood: RawClient[] = [];
  /**
   * The server's first answer to AUTH + PING as the admin, raw: ioredis reports a refusal as "Connection is
   * closed".
   */
  const adminPing = async () => {
    const c = await rawClient(server.port);
    // A refused connection gets its error at once; sending before it arrives would make the close a reset.
    await sleep(100);
    if (!c.isClosed()) c.socket.write(Buffer.concat([resp("AUTH", "admin", ADMIN), resp("PING")]));
    for (let i = 0; i < 40 && !/PONG|ERR/.test(c.received()) && !c.isClosed(); i++) await sleep(25);
    c.socket.destroy();
    return /\+PONG/.test(c.received()) ? "PONG" : c.received().trim() || "(closed without a reply)";
  };
  /**
   * Opens connections until the server refuses one; every fourth as the app, as healthcheck, or without AUTH.
   */
  async function fill(keepSending: boolean): Promise<void> {
    for (let i = 0; i < SLOTS + 10; i++) {
      const auth = ([["app", APP], ["healthcheck", "any"], undefined, undefined] as const)[i % 4];
      flood.push(await rawClient(server.port, { auth }));
    }
    await sleep(300);
    if (keepSending)
      for (const c of flood) {
        const timer = setInterval(() => c.socket.write("PING\r\n"), 250);
        void c.closed.then(() => clearInterval(timer));
      }
  }

  before(async () => {
    server = await startRedis({
      maxmemoryMb: 64,
      adminUser: "admin",
      appUser: "app",
      adminPasswordHash: redisPasswordHash(ADMIN),
      appPasswordHash: redisPasswordHash(APP),
    });
    control = new Redis({ host: "127.0.0.1", port: server.port, username: "admin", password: ADMIN });
    control.on("error", () => undefined);
  });
  afterEach(async () => {
    flood.forEach((c) => c.socket.destroy());
    flood = [];
    await sleep(200);
  });
  after(async () => {
    control?.disconnect();
    await server?.stop();
  });

  it("ships a finite idle timeout, and idle connections that filled every slot are closed by it", async () => {
    const [, shipped] = (await control.config("GET", "timeout")) as string[];
    assert.equal(Number(shipped), IDLE_TIMEOUT_SECONDS, "redis.conf's timeout");
    assert.ok(
      Number(shipped) > 0 && Number(shipped) <= 300,
      `timeout ${shipped}: idle clients are never closed`,
    );
    await control.config("SET", "maxclients", String(SLOTS), "timeout", "2");
    try {
      await fill(false);
      assert.match(await adminPing(), /max number of clients reached/);
      await sleep(3500);
      assert.equal(await adminPing(), "PONG", "the idle flood outlived the timeout");
      assert.ok(flood.every((c) => c.isClosed()));
    } finally {
      await control.config("SET", "maxclients", "10000", "timeout", shipped);
    }
  });

  it("runbook: an admin connection clears connections that keep sending (CLIENT KILL USER …), then the admin gets in", async () => {
    await control.ping(); // held open by the operator before the flood (docs/runbooks.md)
    await control.config("SET", "maxclients", String(SLOTS));
    try {
      await fill(true);
      assert.match(await adminPing(), /max number of clients reached/);
      await sleep(2500); // past the idle timeout the first test used: these are not idle
      const later = await adminPing();
      assert.match(later, /max number of clients reached/, `active connections are not idle: ${later}`);
      // Unauthenticated connections run as `default` (switched off, so nobody logs in as it).
      for (const user of ["default", "healthcheck", "app"])
        await control.call("CLIENT", "KILL", "USER", user, "SKIPME", "yes");
      assert.equal(await adminPing(), "PONG");
      await sleep(200);
      assert.ok(
        flood.every((c) => c.isClosed()),
        "every flooding connection was closed",
      );
    } finally {
      await control.config("SET", "maxclients", "10000");
    }
  });
});
