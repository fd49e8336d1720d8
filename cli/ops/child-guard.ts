// pg_dump and pg_restore die with the CLI. Killed with SIGKILL, the CLI used to orphan its
// pg_restore, which went on loading alone as the temporary login. Node cannot set PR_SET_PDEATHSIG, and a
// process group only helps when someone signals the group. So each tool runs under a small guard process: the
// guard's stdin is a pipe whose only writer is the CLI, the kernel closes it however the CLI dies, and on EOF
// the guard ends the tool (its own child, so the pid cannot have been reused). The tool writes straight to
// the CLI's pipes.
import { ChildProcess, spawn } from "node:child_process";

/** Runs in the guard (`node -e`): argv[1] is the JSON [command, ...args]. */
const GUARD = `
const { spawn } = require("node:child_process");
const { constants } = require("node:os");
const [command, ...args] = JSON.parse(process.argv[1]);
const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
let ending = false;
const end = (signal) => {
  if (ending) return;
  ending = true;
  child.kill(signal);
  setTimeout(() => child.kill("SIGKILL"), 5000).unref();
};
process.stdin.on("end", () => end("SIGTERM")).on("error", () => end("SIGTERM")).resume();
for (const s of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(s, () => end(s));
child.on("error", (e) => { process.stderr.write(command + ": " + e.message + "\\n"); process.exit(127); });
child.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
`;

/**
 * Spawns `command` under the guard, stdin closed, stdout and stderr piped to us. Killing the returned process
 * (the guard) ends the tool too.
 */
export function spawnGuarded(command: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  const guard = spawn(process.execPath, ["-e", GUARD, JSON.stringify(command)], {
    env: { ...env, NODE_OPTIONS: undefined },
    stdio: ["pipe", "pipe", "pipe"],
  });
  guard.stdin?.on("error", () => undefined);
  guard.once("exit", () => guard.stdin?.destroy());
  return guard;
}
