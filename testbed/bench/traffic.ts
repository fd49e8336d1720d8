// The app's traffic through every lifecycle event of the dev stack, longer than the engine test runs it: the
// real Pulumi CLI (engine rig, stand-in docker/random plugins), the traffic harness as its own process
// holding the URLs it started with, one run per event. Prints the table docs/benchmarks.md and
// docs/runbooks.md carry: event × store × requests × failures × lost writes × p50 × p99.
//   npm run bench:traffic                      10 s of traffic after each event, 100 requests/s
//   npm run bench:traffic -- --settle 30 --rate 200
// Takes minutes (nine events, seven of them `pulumi` commands); the figures depend on the machine's load.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  crashRedis,
  destroyAndUp,
  migrate,
  replaceRedis,
  restartRedis,
  rotateAll,
  rotateSuperuser,
} from "../engine/lifecycle";
import { EngineSession } from "../engine/session";
import { freePort } from "../ports";
import { renderEventTable, spawnTraffic, verifySavedLedger, type EventRow } from "../traffic";
import { scriptArgs } from "../../cli/shared/program";

const args = scriptArgs("npm run bench:traffic --", {
  name: "bench:traffic",
  summary:
    "the app's traffic through every lifecycle event of the dev stack, one table row per event and store",
  flags: [
    { name: "--settle", value: "SECONDS", help: "traffic after each event (default 10)" },
    { name: "--rate", value: "N", help: "requests per second (default 100)" },
  ],
});
const SETTLE_MS = args.integer("--settle", 10) * 1000;
const RATE = String(args.integer("--rate", 100));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const s = EngineSession.create("bench-traffic");
  const dir = fs.mkdtempSync(path.join(s.base, "traffic-"));
  const rows: EventRow[] = [];
  const started = Date.now();
  try {
    await s.pulumi(["login", `file://${s.backend}`]);
    await s.pulumi(["stack", "init", "dev"]);
    await s.pulumi(["config", "set", "postgresHostPort", String(await freePort())]);
    await s.pulumi(["config", "set", "redisHostPort", String(await freePort())]);
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    let outputs = await s.outputs("dev");

    const phase = async (event: string, action: () => Promise<unknown>, settleMs = SETTLE_MS) => {
      const t0 = Date.now();
      const run = spawnTraffic({
        outputs,
        dir,
        name: event.replace(/\W+/g, "-"),
        args: ["--rate", RATE, "--concurrency", "4"],
      });
      await run.flowing;
      await action();
      await sleep(settleMs);
      const report = await run.stop();
      rows.push({ event, report });
      process.stderr.write(`bench:traffic: ${event}: ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      return { report, ledgerFile: run.ledgerFile };
    };

    await phase("steady traffic (after the first up)", () => sleep(SETTLE_MS));
    await phase("rotation 1 (all but superuser)", () => rotateAll(s, 1));
    outputs = await s.outputs("dev"); // roll the app before the next rotation
    await phase("rotation 2 (app rolled first)", () => rotateAll(s, 2));
    outputs = await s.outputs("dev");
    await phase("superuser rotation (dev: PostgreSQL restarts)", () => rotateSuperuser(s, 1));
    await phase("migration (ALTER user_sessions)", () =>
      migrate(s, "900_traffic_device", "ALTER TABLE user_sessions ADD COLUMN device text;"),
    );
    await phase("Redis replacement (redis.conf change, up)", () => replaceRedis(s, 200));
    await phase("Redis restart (SIGTERM)", () => restartRedis(s));
    await phase("Redis kill -9 + start", () => crashRedis(s));
    const { report, ledgerFile } = await phase("destroy + up", () => destroyAndUp(s), 0);
    const verified = await verifySavedLedger({
      outputs: await s.outputs("dev"),
      dir,
      name: "verify",
      ledgerFile,
    });
    rows[rows.length - 1] = { event: "destroy + up", report: { ...report, writes: verified.writes } };
  } finally {
    await s.dispose();
  }
  const cpus = os.cpus().length;
  console.log(
    [
      `traffic through lifecycle events: ${SETTLE_MS / 1000} s after each event, ${RATE} requests/s, ` +
        `4 workers; ${cpus} CPUs, load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
      "",
      ...renderEventTable(rows),
    ].join("\n"),
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
