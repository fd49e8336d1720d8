// The harness as the app runs beside a deployment: its own process, started with a stack's outputs, stopped
// with SIGTERM after the event, its --json report read from stdout. The outputs file holds secrets: it is
// written 0600 into a folder the caller owns and removed when the run ends.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { TrafficReport } from "./report";
import { ROOT } from "../root";

export interface ChildRun {
  /** Resolves once the harness has sent `minRequests` requests (traffic is flowing before the event). */
  readonly flowing: Promise<void>;
  /** Epoch ms when the process was started. */
  readonly startedAt: number;
  /** SIGTERM, then the report it prints. */
  stop(): Promise<TrafficReport>;
  /** The acknowledged-writes file (--ledger-out), once stopped. */
  readonly ledgerFile: string;
}

export interface ChildOptions {
  /** Parsed `pulumi stack output --json --show-secrets`. */
  readonly outputs: unknown;
  /** A private folder for the outputs and ledger files. */
  readonly dir: string;
  readonly name: string;
  /** Extra flags, e.g. ["--rate", "200"]. */
  readonly args?: readonly string[];
  readonly minRequests?: number;
  /** Upper bound of the run; it is normally stopped long before. */
  readonly maxSeconds?: number;
}

export function spawnTraffic(options: ChildOptions): ChildRun {
  const outputsFile = path.join(options.dir, `${options.name}.outputs.json`);
  const ledgerFile = path.join(options.dir, `${options.name}.ledger.json`);
  fs.writeFileSync(outputsFile, JSON.stringify(options.outputs), { mode: 0o600 });
  const startedAt = Date.now();
  const child = spawn(
    process.execPath,
    [
      "-r",
      "./tools/ts-register.cjs",
      path.join(ROOT, "testbed", "traffic", "main.ts"),
      "--outputs",
      outputsFile,
      "--duration",
      String(options.maxSeconds ?? 600),
      "--ledger-out",
      ledgerFile,
      "--json",
      ...(options.args ?? []),
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  const minRequests = options.minRequests ?? 20;
  let markFlowing: () => void = () => undefined;
  let failFlowing: (err: Error) => void = () => undefined;
  const flowing = new Promise<void>((resolve, reject) => {
    markFlowing = resolve;
    failFlowing = reject;
  });
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => {
    stderr += d;
    const counts = [...stderr.matchAll(/traffic: (\d+) requests/g)].map((m) => Number(m[1]));
    if (counts.some((n) => n >= minRequests)) markFlowing();
  });
  const closed = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  void closed.then(() => {
    fs.rmSync(outputsFile, { force: true });
    failFlowing(
      new Error(`traffic ${options.name} exited before it sent ${minRequests} requests:\n${stderr}`),
    );
  });
  return {
    flowing,
    startedAt,
    ledgerFile,
    async stop() {
      child.kill("SIGTERM");
      await closed;
      try {
        return JSON.parse(stdout) as TrafficReport;
      } catch {
        throw new Error(
          `traffic ${options.name} printed no report:\n${stdout.slice(-2000)}\n${stderr.slice(-4000)}`,
        );
      }
    },
  };
}

/** `--verify-ledger` of an earlier run against (new) outputs: the same report shape, with no requests. */
export async function verifySavedLedger(options: {
  outputs: unknown;
  dir: string;
  name: string;
  ledgerFile: string;
}): Promise<TrafficReport> {
  const outputsFile = path.join(options.dir, `${options.name}.outputs.json`);
  fs.writeFileSync(outputsFile, JSON.stringify(options.outputs), { mode: 0o600 });
  try {
    const child = spawn(
      process.execPath,
      [
        "-r",
        "./tools/ts-register.cjs",
        path.join(ROOT, "testbed", "traffic", "main.ts"),
        "--outputs",
        outputsFile,
        "--verify-ledger",
        options.ledgerFile,
        "--json",
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    await new Promise((resolve) => child.on("close", resolve));
    try {
      return JSON.parse(stdout) as TrafficReport;
    } catch {
      throw new Error(`traffic --verify-ledger printed no report:\n${stderr.slice(-4000)}`);
    }
  } finally {
    fs.rmSync(outputsFile, { force: true });
  }
}
