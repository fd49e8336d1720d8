// The ElastiCache app user's access string, applied to a real cluster-mode redis-server, lets
// ioredis's Cluster client discover the topology and work; without the cluster commands it cannot.
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Redis, { Cluster } from "ioredis";
import { freePort, waitForPort } from "../../testbed/ports";
import { requireRedisServer } from "../../testbed/redis-server";
import { DEFAULT_APP_ACCESS, appPermissions } from "../../stack/redis/access";
import { appAccessRules } from "../../stack/redis/cluster-access";

describe("Redis cluster mode: the app user's ACL against a real cluster-enabled redis-server", function () {
  let child: ChildProcess;
  let dir: string;
  let port: number;
  let admin: Redis;

  before(async () => {
    requireRedisServer();
    port = await freePort();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-cluster-"));
    child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--cluster-enabled",
        "yes",
        // A lone node does not know its own address until another node tells it; ioredis needs it in CLUSTER
        // SLOTS.
        "--cluster-announce-ip",
        "127.0.0.1",
        // A master leaving the fail state waits up to the node timeout before reporting ok.
        "--cluster-node-timeout",
        "500",
        "--cluster-config-file",
        path.join(dir, "nodes.conf"),
      ],
      { stdio: "ignore" },
    );
    await waitForPort(port, 10_000);
    admin = new Redis({ port, host: "127.0.0.1", lazyConnect: true });
    await admin.connect();
    await admin.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
    for (let i = 0; !/cluster_state:ok/.test(String(await admin.call("CLUSTER", "INFO"))); i++) {
      if (i > 100) throw new Error("the one-node cluster never reported cluster_state:ok");
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    admin?.disconnect();
    child?.kill("SIGTERM");
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function clusterAs(user: string, rules: string): Promise<Cluster> {
    await admin.call("ACL", "SETUSER", user, "reset", "on", ">app-password", ...rules.split(" "));
    return new Cluster([{ host: "127.0.0.1", port }], {
      redisOptions: { username: user, password: "app-password" },
      clusterRetryStrategy: () => null,
      scaleReads: "slave",
    });
  }

  it("discovers the topology and reads and writes the app's keys with the cluster-mode access string", async () => {
    const cluster = await clusterAs("app", appAccessRules(DEFAULT_APP_ACCESS, true));
    try {
      await cluster.set("session:42", "x", "EX", 60);
      assert.equal(await cluster.get("session:42"), "x");
      await assert.rejects(cluster.set("other:1", "x"), /NOPERM/, "still confined to its key families");
      await assert.rejects(cluster.call("CLUSTER", "RESET"), /NOPERM/, "no cluster administration");
    } finally {
      cluster.disconnect();
    }
  });

  it("cannot even connect with the single-node access string (the defect this fixes)", async () => {
    assert.equal(appAccessRules(DEFAULT_APP_ACCESS, false), appPermissions(DEFAULT_APP_ACCESS));
    const cluster = await clusterAs("app-plain", appAccessRules(DEFAULT_APP_ACCESS, false));
    cluster.on("error", () => undefined); // the expected slot-refresh failure, asserted below
    try {
      await assert.rejects(cluster.set("session:43", "x"));
    } finally {
      cluster.disconnect();
    }
  });
});
