import { strict as assert } from "node:assert";
import {
  APP_COMMANDS,
  DEFAULT_APP_ACCESS,
  DEFAULT_APP_KEY_PATTERNS,
  appPermissions,
} from "../../stack/redis/access";
import { RedisConfOptions, redisPasswordHash, renderRedisConf } from "../../stack/redis/conf";

const options: RedisConfOptions = {
  bind: ["0.0.0.0"],
  port: 6379,
  dir: "/data",
  maxmemoryMb: 256,
  adminUser: "admin",
  appUser: "app",
  adminPasswordHash: redisPasswordHash("admin-secret"),
  appPasswordHash: redisPasswordHash("app-secret"),
  appAccess: DEFAULT_APP_ACCESS,
};
const directives = (conf: string) =>
  conf.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));

describe("redis.conf rendering (pure)", () => {
  it("never contains a plaintext password, only SHA-256 digests", () => {
    const conf = renderRedisConf(options);
    assert.ok(!conf.includes("admin-secret") && !conf.includes("app-secret"));
    assert.ok(conf.includes(`#${redisPasswordHash("app-secret")}`));
    assert.ok(!/requirepass|>/.test(conf), "no requirepass and no >plaintext ACL passwords");
  });

  it("sets the memory, eviction and persistence policy", () => {
    const lines = directives(renderRedisConf({ ...options, maxmemoryMb: 512 }));
    for (const expected of [
      "maxmemory 512mb",
      "maxmemory-policy noeviction",
      "appendonly yes",
      "appendfsync everysec",
      "save 900 1",
    ]) {
      assert.ok(lines.includes(expected), `missing: ${expected}`);
    }
  });

  it("bounds every client: value and query-buffer sizes, unread replies, all clients together, idle time", () => {
    const lines = directives(renderRedisConf(options));
    for (const expected of [
      "proto-max-bulk-len 1048576",
      "client-query-buffer-limit 2097152",
      "client-output-buffer-limit normal 8388608 2097152 10",
      "maxmemory-clients 10%",
      "timeout 300",
    ])
      assert.ok(lines.includes(expected), `missing: ${expected}`);
    assert.ok(!lines.includes("timeout 0"), "idle clients are closed");
  });

  it("switches the default user off and gives the app user only its key patterns and allowlist", () => {
    const lines = directives(renderRedisConf(options));
    // Off (no AUTH as default, connections start unauthenticated); all permissions for the AOF replay of
    // EXEC.
    assert.ok(lines.includes("user default off resetpass ~* &* +@all"));
    const app = lines.find((l) => l.startsWith("user app "))!;
    for (const pattern of DEFAULT_APP_KEY_PATTERNS) assert.ok(app.includes(` ~${pattern}`));
    assert.ok(!app.includes("~*") && !app.includes("&"), "no blanket key or channel access");
    assert.ok(/ -@all /.test(app), "starts from nothing");
    for (const banned of [
      "flushall",
      "flushdb",
      "keys",
      "config",
      "debug",
      "shutdown",
      "acl",
      "monitor",
      "subscribe",
    ]) {
      assert.ok(!app.split(" ").includes(`+${banned}`), `${banned} must not be granted`);
    }
  });

  it("keeps the allowlist free of duplicates and dangerous commands", () => {
    assert.equal(new Set(APP_COMMANDS).size, APP_COMMANDS.length);
    assert.ok(!/\+@/.test(appPermissions(DEFAULT_APP_ACCESS)), "no command categories, only named commands");
  });

  it("is deterministic: the same inputs render the same file (no needless container replacement)", () => {
    assert.equal(renderRedisConf(options), renderRedisConf({ ...options }));
  });

  it("refuses malformed inputs with a message naming the field", () => {
    assert.throws(
      () => renderRedisConf({ ...options, appPasswordHash: "plaintext" }),
      /appPasswordHash must be a SHA-256/,
    );
    assert.throws(() => renderRedisConf({ ...options, appUser: "default" }), /invalid user name "default"/);
    assert.throws(() => renderRedisConf({ ...options, adminUser: "Admin User" }), /invalid user name/);
  });
});
