// Starts a real redis-server (Debian's package) from a rendered config on a free port in a temporary
// directory.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_APP_ACCESS, RedisAppAccess } from "../stack/redis/access";
import { RedisServerOptions, renderRedisConf } from "../stack/redis/conf";
import type { RedisUsersOptions } from "../stack/redis/users-acl";
import { freePort, waitForPort } from "./ports";

const REDIS_INSTALL_HINT =
  "redis-server was not found on PATH. Install it (Debian/Ubuntu: `apt-get install -y redis-server`; " +
  "macOS: `brew install redis`); .ci/run does this on CI.";

export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly confPath: string;
  stop(): Promise<void>;
}

export function requireRedisServer(): void {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) throw new Error(REDIS_INSTALL_HINT);
}

/** Renders the production config with only bind, port and dir substituted, and starts it. */
export async function startRedis(
  options: Omit<RedisServerOptions, "bind" | "port" | "dir"> &
    Omit<RedisUsersOptions, "appAccess"> & {
      /** Default: the stack's default (redisAppKeyPatterns, redisAppScan). */
      readonly appAccess?: RedisAppAccess;
    },
): Promise<RedisServer> {
  requireRedisServer();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-redis-"));
  const confPath = path.join(dir, "redis.conf");
  fs.writeFileSync(
    confPath,
    renderRedisConf({
      appAccess: DEFAULT_APP_ACCESS,
      ...options,
      bind: ["127.0.0.1"],
      port,
      dir,
    }),
    {
      mode: 0o600,
    },
  );
  const child: ChildProcess = spawn("redis-server", [confPath], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await Promise.race([
      waitForPort(port, 10_000),
      exited.then(() => {
        throw new Error(`redis-server exited during start-up:\n${log}`);
      }),
    ]);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    port,
    dir,
    confPath,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
