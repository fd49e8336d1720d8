// Runs a compiled bin (node_modules/.bin/offthegrid-db, …) as its own process, the way a user or a script
// does (npm test builds them first; `npm run build` otherwise).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../../testbed/stack";

export interface BinRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function bin(
  name: string,
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<BinRun> {
  const file = path.join(ROOT, "node_modules", ".bin", name);
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: run \`npm run build\` (npm ci does it via prepare)`);
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    ...env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd: os.tmpdir(), env: childEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
