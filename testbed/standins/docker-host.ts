// The stand-in docker provider's "daemon": a directory that holds volumes, image records and container state,
// in a place the `postgres` OS user can reach (PostgreSQL refuses to run as root; a checkout under a 0700
// directory would otherwise hide its data directory from it).
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunAs, nativeDir, postgresUser } from "../postgres-binaries";

/**
 * Where tests point the stand-in and themselves (OFFTHEGRID_STANDIN_DOCKER_ROOT), or a folder per
 * PULUMI_HOME.
 */
export function dockerRoot(): string {
  const home = process.env.PULUMI_HOME ?? "";
  const root =
    process.env.OFFTHEGRID_STANDIN_DOCKER_ROOT ??
    path.join(
      os.tmpdir(),
      `offthegrid-standin-docker-${createHash("sha256").update(home).digest("hex").slice(0, 10)}`,
    );
  for (const sub of ["", "volumes", "images", "containers", "networks"]) {
    fs.mkdirSync(path.join(root, sub), { recursive: true, mode: 0o711 });
  }
  return root;
}

export function volumeDir(name: string): string {
  return path.join(dockerRoot(), "volumes", name);
}

export function containerDir(name: string): string {
  return path.join(dockerRoot(), "containers", name);
}

export function recordPath(kind: "images" | "networks", id: string): string {
  return path.join(dockerRoot(), kind, `${id.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`);
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

export function hexId(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex");
}

/** uid/gid of the service user processes run as: `postgres` when we are root, ourselves otherwise. */
export function serviceUser(): RunAs | undefined {
  return process.getuid?.() === 0 ? postgresUser() : undefined;
}

/**
 * A copy of the PostgreSQL 17 binaries that the service user can execute wherever the checkout lives. Unlike
 * the test harness's copy (removed when its process exits), this one must outlive the plugin, as its daemons
 * do.
 */
export function postgresBinaries(): string {
  const source = nativeDir(17);
  const version =
    readJson<{ version: string }>(path.join(source, "..", "package.json"))?.version ?? "unknown";
  const target = path.join(dockerRoot(), `pgbin-${version}`);
  if (!fs.existsSync(path.join(target, ".complete"))) {
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(source, target, { recursive: true, verbatimSymlinks: true });
    execFileSync("chmod", ["-R", "a+rX", target]);
    fs.writeFileSync(path.join(target, ".complete"), "");
  }
  return path.join(target, "bin");
}

export function chownTree(dir: string, user: { uid: number; gid: number } | undefined): void {
  if (user) execFileSync("chown", ["-R", `${user.uid}:${user.gid}`, dir]);
}

/**
 * Starts a daemon outside the plugin's process tree and process group: when a plugin exits, the engine
 * interrupts its children (cmdutil.InterruptChildren), which would stop the "container" with it.
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

/**
 * The image id a name resolves to, as the provider's read finds it among local images: a tag follows
 * `images/registry.json` (a test moves a tag there, as a rebuild plus `docker pull` would); `name@sha256:…`
 * is that digest whatever the tag does.
 */
/** A rebuild of `name`'s tag reaching this host (`docker pull`): the tag now names another image. */
export function retagImage(name: string): string {
  const file = recordPath("images", "registry");
  const registry = readJson<Record<string, string>>(file) ?? {};
  const id = `sha256:${hexId("rebuilt", name, registry[name] ?? "")}`;
  writeJson(file, { ...registry, [name]: id });
  return id;
}

export function resolveImage(name: string): string {
  const pinned = /@(sha256:[0-9a-f]{64})$/.exec(name);
  if (pinned) return pinned[1];
  const registry = readJson<Record<string, string>>(recordPath("images", "registry")) ?? {};
  return registry[name] ?? `sha256:${hexId("image", name)}`;
}
