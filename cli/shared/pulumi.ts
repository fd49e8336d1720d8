// The `pulumi` on PATH, run as a user runs it: what `npm run dev` and `--stack` use. Its lines can be
// streamed as progress (an `up` takes minutes) or collected (JSON for the outputs).
import { spawn } from "node:child_process";
import { UsageError } from "./command";

export interface PulumiResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface PulumiOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Each line the CLI prints (stdout and stderr), as it prints it. */
  readonly onLine?: (line: string) => void;
}

export const PULUMI_MISSING =
  "`pulumi` is not on PATH: install the Pulumi CLI >= 3.274.1 (https://www.pulumi.com/docs/install/)";

function lines(onLine: ((line: string) => void) | undefined) {
  let rest = "";
  return {
    push(chunk: string) {
      if (!onLine) return;
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      parts.filter((l) => l.trim()).forEach(onLine);
    },
    end: () => rest.trim() && onLine?.(rest),
  };
}

/** Runs `pulumi <args>`; resolves with its exit code (never rejects on a non-zero exit). */
export function runPulumi(args: readonly string[], options: PulumiOptions): Promise<PulumiResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive"], {
      cwd: options.cwd,
      env: { ...options.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const out = lines(options.onLine);
    const err = lines(options.onLine);
    child.stdout.setEncoding("utf8").on("data", (d: string) => ((stdout += d), out.push(d)));
    child.stderr.setEncoding("utf8").on("data", (d: string) => ((stderr += d), err.push(d)));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "ENOENT" ? new UsageError(PULUMI_MISSING) : e),
    );
    child.on("close", (code) => {
      out.end();
      err.end();
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Like runPulumi, but a non-zero exit throws with the CLI's own last lines. */
export async function pulumiOk(args: readonly string[], options: PulumiOptions): Promise<PulumiResult> {
  const result = await runPulumi(args, options);
  if (result.code !== 0) {
    const said = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-8).join("\n");
    throw new Error(`\`pulumi ${args.join(" ")}\` exited ${result.code}:\n${said}`);
  }
  return result;
}
