// A real three-primary Redis cluster (Debian's redis-server) on free loopback ports, admin user only.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Redis from "ioredis";
import { freePort, waitForPort } from "../../testbed/ports";
import { requireRedisServer } from "../../testbed/redis-server";

export interface TestCluster {
  readonly ports: number[];
  stop(): Promise<void>;
}

export async function startCluster(adminPassword: string): Promise<TestCluster> {
  requireRedisServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-cluster-"));
  const nodes: { port: number; bus: number; child: ChildProcess }[] = [];
  for (let i = 0; i < 3; i++) {
    const [port, bus] = [await freePort(), await freePort()];
    const nodeDir = path.join(dir, String(i));
    fs.mkdirSync(nodeDir);
    const conf = path.join(nodeDir, "redis.conf");
    fs.writeFileSync(
      conf,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        "cluster-enabled yes",
        `cluster-port ${bus}`,
        `cluster-config-file ${path.join(nodeDir, "nodes.conf")}`,
        `dir ${nodeDir}`,
        'save ""',
        "appendonly no",
        "user default off",
        `user admin on >${adminPassword} ~* &* +@all`,
      ].join("\n"),
      { mode: 0o600 },
    );
    nodes.push({ port, bus, child: spawn("redis-server", [conf], { stdio: "ignore" }) });
  }
  const stop = async () => {
    await Promise.all(
      nodes.map(
        ({ child }) =>
          new Promise<void>((resolve) => (child.once("exit", () => resolve()), child.kill("SIGTERM"))),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => waitForPort(n.port, 10_000)));
    const admin = nodes.map(
      (n) => new Redis({ port: n.port, host: "127.0.0.1", username: "admin", password: adminPassword }),
    );
    try {
      const ranges = [
        [0, 5460],
        [5461, 10922],
        [10923, 16383],
      ];
      await Promise.all(admin.map((c, i) => c.call("CLUSTER", "ADDSLOTSRANGE", ranges[i][0], ranges[i][1])));
      for (const n of nodes.slice(1)) await admin[0].call("CLUSTER", "MEET", "127.0.0.1", n.port, n.bus);
      for (let attempt = 0; ; attempt++) {
        const states = await Promise.all(admin.map(async (c) => String(await c.call("CLUSTER", "INFO"))));
        if (states.every((s) => /cluster_state:ok/.test(s) && /cluster_known_nodes:3/.test(s))) break;
        if (attempt > 200) throw new Error(`cluster did not form:\n${states.join("\n")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      admin.forEach((c) => c.disconnect());
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports: nodes.map((n) => n.port), stop };
}
