// Zero-downtime Redis rotation: the users live in an aclfile, changed through the admin connection
// (stack/redis/live-acl.ts) and saved, on a real redis-server with the stack's rendered redis.conf.
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import Redis from "ioredis";
import { DEFAULT_APP_ACCESS } from "../../stack/redis/access";
import { redisPasswordHash, renderRedisConf } from "../../stack/redis/conf";
import { applyRedisUsers } from "../../stack/redis/live-acl";
import { redisUserRules, renderUserLines } from "../../stack/redis/users-acl";
import { freePort, waitForPort } from "../../testbed/ports";
import { requireRedisServer } from "../../testbed/redis-server";

const ADMIN = ["admin-gen0-Pw-0123456789abcdefghijklmn", "admin-gen1-Pw-0123456789abcdefghijklmn"];
const APP = [
  "app-gen0-Pw-0123456789abcdefghijklmnop",
  "app-gen1-Pw-0123456789abcdefghijklmnop",
  "app-gen2-Pw-0123456789abcdefghijklmnop",
];

/** The users for an admin and app generation, each with its previous password still valid. */
const users = (admin: number, app: number) =>
  redisUserRules({
    adminUser: "admin",
    appUser: "app",
    adminPasswordHash: redisPasswordHash(ADMIN[admin]),
    previousAdminPasswordHash: admin > 0 ? redisPasswordHash(ADMIN[admin - 1]) : undefined,
    appPasswordHash: redisPasswordHash(APP[app]),
    previousAppPasswordHash: app > 0 ? redisPasswordHash(APP[app - 1]) : undefined,
    appAccess: DEFAULT_APP_ACCESS,
  });

/** The server's reply to AUTH, e.g. "+OK" or "-WRONGPASS …". */
function auth(port: number, user: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(`AUTH ${user} ${password}\r\n`));
    socket.once("data", (d) => (socket.destroy(), resolve(d.toString().trim().split(" ")[0])));
    socket.once("error", reject);
  });
}

describe("Redis rotation applied live through the admin connection (real redis-server, aclfile)", function () {
  let dir: string;
  let port: number;
  let child: ChildProcess | undefined;
  const confOptions = () => ({
    bind: ["127.0.0.1"],
    port,
    dir,
    maxmemoryMb: 64,
    aclfile: path.join(dir, "users.acl"),
  });
  const start = async () => {
    child = spawn("redis-server", [path.join(dir, "redis.conf")], { stdio: "ignore" });
    await waitForPort(port, 10_000);
  };
  const stop = async () => {
    const exited = new Promise((r) => child?.once("exit", r));
    child?.kill("SIGTERM");
    await exited;
    child = undefined;
  };
  const target = (adminPasswords: string[]) => ({
    host: "127.0.0.1",
    port,
    adminUser: "admin",
    adminPasswords,
  });

  before(async () => {
    requireRedisServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-redis-rotation-"));
    port = await freePort();
    fs.writeFileSync(path.join(dir, "redis.conf"), renderRedisConf(confOptions()), { mode: 0o600 });
    // The seed the container copies onto its volume on first boot.
    fs.writeFileSync(path.join(dir, "users.acl"), `${renderUserLines(users(0, 0)).join("\n")}\n`, {
      mode: 0o600,
    });
    await start();
  });
  after(async () => {
    if (child) await stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("renders a redis.conf without any password or user when the users live in the aclfile", () => {
    const conf = renderRedisConf(confOptions());
    assert.ok(!conf.includes(redisPasswordHash(ADMIN[0])) && !/^user /m.test(conf));
    assert.match(conf, /^aclfile .*users\.acl$/m);
    // The container's redis.conf takes no password input at all, so a rotation cannot change it.
  });

  it("app rotation: the new and the previous password both AUTH, a connection made before keeps working", async () => {
    assert.equal(await auth(port, "app", APP[0]), "+OK");
    const before = new Redis({
      host: "127.0.0.1",
      port,
      username: "app",
      password: APP[0],
      maxRetriesPerRequest: 0,
    });
    await before.set("session:rotation", "kept");
    await applyRedisUsers(target([ADMIN[0]]), users(0, 1));
    assert.equal(await before.get("session:rotation"), "kept");
    before.disconnect();
    assert.equal(await auth(port, "app", APP[1]), "+OK");
    assert.equal(await auth(port, "app", APP[0]), "+OK");
  });

  it("admin rotation is live too: the applier logs in with the previous admin password and sets the new one", async () => {
    await applyRedisUsers(target([ADMIN[1], ADMIN[0]]), users(1, 1));
    assert.equal(await auth(port, "admin", ADMIN[1]), "+OK");
    assert.equal(await auth(port, "admin", ADMIN[0]), "+OK");
  });

  it("a second app rotation retires the old-old password", async () => {
    await applyRedisUsers(target([ADMIN[1], ADMIN[0]]), users(1, 2));
    assert.equal(await auth(port, "app", APP[2]), "+OK");
    assert.equal(await auth(port, "app", APP[1]), "+OK");
    assert.equal(await auth(port, "app", APP[0]), "-WRONGPASS");
  });

  it("a restart agrees (ACL SAVE): current and previous work, old-old refused, healthcheck user PING only", async () => {
    await stop();
    await start();
    assert.equal(await auth(port, "app", APP[2]), "+OK");
    assert.equal(await auth(port, "app", APP[1]), "+OK");
    assert.equal(await auth(port, "app", APP[0]), "-WRONGPASS");
    assert.equal(await auth(port, "admin", ADMIN[1]), "+OK");
    assert.equal(await auth(port, "healthcheck", "anything"), "+OK");
    assert.equal(await auth(port, "default", "anything"), "-WRONGPASS");
  });

  it("names the server and both refusals when neither admin password works", async () => {
    await assert.rejects(
      applyRedisUsers(target(["wrong-1", "wrong-2"]), users(1, 2)),
      /Redis at 127\.0\.0\.1:\d+ \(user admin\) refused the current and the previous admin password/,
    );
  });
});
