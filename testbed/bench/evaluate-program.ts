// Child process for testbed/bench/run.ts: evaluates index.ts under the mock monitor, imports included, and
// prints the time from before the first import to the stack's resolved outputs, as JSON on the last line. The
// command line is read before the clock starts: it is not part of evaluating the program.
const args = require("../../cli/shared/program").scriptArgs("testbed/bench/evaluate-program.ts", {
  name: "evaluate-program",
  summary: "evaluate a stack file's program under mocks; the times as JSON on the last line",
  args: ["[STACK_FILE]", "[STACK]"],
});
const started = performance.now();
const { runStack, stackConfig } = require("../stack");
// AWS stacks read the RDS CA bundle; BENCH_CA_BUNDLE names a stand-in where it has not been downloaded.
const overrides = process.env.BENCH_CA_BUNDLE ? { postgresCaBundlePath: process.env.BENCH_CA_BUNDLE } : {};

async function main(): Promise<void> {
  const [stackFile = "Pulumi.dev.yaml", stack = "dev"] = args.positionals as string[];
  const importsDone = performance.now();
  const run = await runStack(stack, stackConfig(stackFile, overrides));
  const done = performance.now();
  console.log(
    JSON.stringify({
      stackFile,
      resources: run.resources.length,
      importMs: Math.round(importsDone - started),
      evaluateMs: Math.round(done - importsDone),
      totalMs: Math.round(done - started),
      // CPU time of this process (user + system): on a shared machine it varies less than wall time.
      cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    }),
  );
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
