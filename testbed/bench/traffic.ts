// The app's traffic through every lifecycle event of the dev stack, longer than the engine test runs it: the
// real Pulumi CLI (engine rig, stand-in docker/random plugins), the traffic harness as its own process
// holding the URLs it started with, one run per event. Prints the table docs/benchmarks.md carries (and
// docs/runbooks.md sums up): event × store × requests × failures × lost writes × p50 × p99.
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
import { renderEventTable, spawnTraffic, verifySavedLedger, type EventRow } from "../traffic";
import { scriptArgs } from "../../cli/shared/program";
import { CLIENT_PROFILES, type ClientProfile } from "../traffic/client-profile";

const args = scriptArgs("npm run bench:traffic --", {
  name: "bench:traffic",
  summary:
    "the app's traffic through every lifecycle event of the dev stack, one table row per event and store",
  flags: [
    { name: "--settle", value: "SECONDS", help: "traffic after each event (default 10)" },
    { name: "--rate", value: "N", help: "requests per second per client (default 100)" },
    {
      name: "--clients",
      value: "LIST",
      help: "client profiles run side by side through every event (default strict,app: testbed/traffic/client-profile.ts)",
    },
  ],
});
const SETTLE_MS = args.integer("--settle", 10) * 1000;
const RATE = String(args.integer("--rate", 100));
const CLIENTS = (args.value("--clients") ?? CLIENT_PROFILES.join(",")).split(",") as ClientProfile[];
for (const c of CLIENTS)
  if (!CLIENT_PROFILES.includes(c))
    throw new Error(`--clients: "${c}" is not a client profile (${CLIENT_PROFILES.join(", ")})`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const s = EngineSession.create("bench-traffic");
  const dir = fs.mkdtempSync(path.join(s.base, "traffic-"));
  const rows: EventRow[] = [];
  const started = Date.now();
  try {
    await s.pulumi(["login", `file://${s.backend}`]);
    await s.pulumi(["stack", "init", "dev"]);
    await s.freeStorePorts();
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    let outputs = await s.outputs("dev");

    // One traffic process per client profile, side by side through the same event.
    const phase = async (event: string, action: () => Promise<unknown>, settleMs = SETTLE_MS) => {
      const t0 = Date.now();
      const runs = CLIENTS.map((client) =>
        spawnTraffic({
          outputs,
          dir,
          name: `${event.replace(/\W+/g, "-")}-${client}`,
          args: ["--rate", RATE, "--concurrency", "4", "--client", client],
        }),
      );
      await Promise.all(runs.map((r) => r.flowing));
      await action();
      await sleep(settleMs);
      const reports = await Promise.all(runs.map((r) => r.stop()));
      reports.forEach((report, i) => rows.push({ event: `${event}, ${CLIENTS[i]}`, report }));
      process.stderr.write(`bench:traffic: ${event}: ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      return reports.map((report, i) => ({ report, ledgerFile: runs[i].ledgerFile }));
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
    const last = await phase("destroy + up", () => destroyAndUp(s), 0);
    const after = await s.outputs("dev");
    for (const [i, { report, ledgerFile }] of last.entries()) {
      const verified = await verifySavedLedger({
        outputs: after,
        dir,
        name: `verify-${CLIENTS[i]}`,
        ledgerFile,
      });
      rows[rows.length - last.length + i] = {
        event: `destroy + up, ${CLIENTS[i]}`,
        report: { ...report, writes: verified.writes },
      };
    }
  } finally {
    await s.dispose();
  }
  const cpus = os.cpus().length;
  console.log(
    [
      `traffic through lifecycle events: ${SETTLE_MS / 1000} s after each event, ${RATE} requests/s and ` +
        `4 workers per client (${CLIENTS.join(", ")}, side by side); ${cpus} CPUs, load average ${os
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
