// PostgreSQL dumps with pg_dump (custom format) and restores with pg_restore. pg_dump refuses servers newer than
// itself, so the client's major version is checked first; the dev stack can use the container's own pg_dump.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import type { Client } from "pg";

export interface ConnectionParts {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export function connectionParts(url: string): ConnectionParts {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

/** Arguments and environment for a client tool: the password travels in PGPASSWORD, never on the command line. */
export function clientInvocation(
  c: ConnectionParts,
  sslmode?: string,
): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: ["--host", c.host, "--port", String(c.port), "--username", c.user, "--dbname", c.database],
    env: { ...process.env, PGPASSWORD: c.password, ...(sslmode ? { PGSSLMODE: sslmode } : {}) },
  };
}

export function clientMajor(tool: string): number {
  const probe = spawnSync(tool, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${tool} not found: install the PostgreSQL client (Debian: apt-get install postgresql-client-17), or for the dev stack use --docker <container>`,
    );
  }
  const match = /(\d+)(?:\.\d+)?/.exec(probe.stdout);
  return Number(match?.[1]);
}

export async function serverMajor(client: Client): Promise<number> {
  return Math.floor(
    Number((await client.query("SHOW server_version_num")).rows[0].server_version_num) / 10000,
  );
}

export function checkDumpCompatible(client: number, server: number): void {
  if (client < server) {
    throw new Error(
      `pg_dump ${client} cannot dump a PostgreSQL ${server} server (pg_dump refuses newer servers). Install ` +
        `postgresql-client-${server}, or for the dev stack pass --docker <postgres container> to use the container's own pg_dump.`,
    );
  }
}

/** The command that runs pg_dump inside the dev container (local socket, trusted: no password needed). */
export function dockerDumpCommand(container: string, user: string, database: string): string[] {
  return [
    "docker",
    "exec",
    container,
    "pg_dump",
    "--format=custom",
    "--username",
    user,
    "--dbname",
    database,
  ];
}

function run(
  command: string[],
  env: NodeJS.ProcessEnv,
  outFile: string | undefined,
  onProgress?: (bytes: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), {
      env,
      stdio: ["ignore", outFile ? "pipe" : "ignore", "pipe"],
    });
    let stderr = "";
    let bytes = 0;
    child.stderr?.on("data", (d) => (stderr += d));
    // Resolve only once the process has exited and the file is flushed.
    const written = new Promise<void>((done, fail) => {
      if (!outFile || !child.stdout) return done();
      const out = fs.createWriteStream(outFile);
      child.stdout.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        onProgress?.(bytes);
      });
      child.stdout.pipe(out);
      out.on("finish", () => done());
      out.on("error", fail);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${command[0]} exited with ${code}: ${stderr.trim()}`));
      written.then(resolve, reject);
    });
  });
}

export async function pgDump(
  target: { url: string; sslmode?: string } | { docker: string; user: string; database: string },
  outFile: string,
  onProgress?: (bytes: number) => void,
): Promise<void> {
  if ("docker" in target)
    return run(
      dockerDumpCommand(target.docker, target.user, target.database),
      process.env,
      outFile,
      onProgress,
    );
  const { args, env } = clientInvocation(connectionParts(target.url), target.sslmode);
  return run(["pg_dump", "--format=custom", "--no-password", ...args], env, outFile, onProgress);
}

/** Restores into the target database in one transaction; `clean` drops existing objects first (--force). */
export function pgRestore(
  url: string,
  file: string,
  options: { clean: boolean; sslmode?: string },
): Promise<void> {
  const { args, env } = clientInvocation(connectionParts(url), options.sslmode);
  const flags = [
    "--no-password",
    "--exit-on-error",
    "--single-transaction",
    ...(options.clean ? ["--clean", "--if-exists"] : []),
  ];
  return run(["pg_restore", ...flags, ...args, file], env, undefined);
}
