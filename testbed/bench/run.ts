// Prints the figures the foundation issue asks for; goals are printed beside them, never asserted.
//   npm run bench               program evaluation + typecheck
//   npm run bench -- --with-tests   also the whole `npm test` wall time
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "../root";
import { scriptArgs } from "../../cli/shared/program";

const args = scriptArgs("npm run bench --", {
  name: "bench",
  summary: "program evaluation under mocks and typecheck times, beside their goals",
  flags: [{ name: "--with-tests", help: "also the whole `npm test` wall time" }],
});

const root = ROOT;
const node = process.execPath;

function timed(command: string, args: string[]): { ms: number; stdout: string } {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}

function row(name: string, value: string, goal: string): void {
  console.log(`${name.padEnd(44)} ${value.padStart(12)}   goal ${goal}`);
}

const stacks = [["Pulumi.dev.yaml", "dev"]].concat(
  process.env.BENCH_STACKS ? JSON.parse(process.env.BENCH_STACKS) : [],
);
console.log(`node ${process.versions.node}, ${require("node:os").cpus().length} CPUs\n`);
for (const [file, stack] of stacks) {
  const samples = [0, 1, 2].map(() => {
    const { ms, stdout } = timed(node, [
      "-r",
      "./tools/ts-register.cjs",
      "testbed/bench/evaluate-program.ts",
      file,
      stack,
    ]);
    return { processMs: ms, ...JSON.parse(stdout.trim().split("\n").pop()!) };
  });
  const best = samples.sort((a, b) => a.totalMs - b.totalMs)[0];
  row(`program evaluation under mocks (${stack})`, `${best.totalMs} ms`, "<= 2000 ms");
  row(`  of which imports`, `${best.importMs} ms`, "");
  row(`  resources registered / peak RSS`, `${best.resources} / ${best.rssMb} MB`, "");
  row(`  whole child process (node start included)`, `${Math.round(best.processMs)} ms`, "");
}
const tsc = timed(node, [path.join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", "."]);
row("tsc --noEmit", `${Math.round(tsc.ms)} ms`, "<= 10000 ms");
if (args.has("--with-tests")) {
  const suite = timed("npm", ["test", "--silent"]);
  const passing = /(\d+) passing/.exec(suite.stdout)?.[1] ?? "?";
  row(`npm test (${passing} tests)`, `${(suite.ms / 1000).toFixed(1)} s`, "<= 180 s");
}
