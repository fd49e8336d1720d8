// npm run bench:preview [-- --pairs N] [--up]: what a user waits for on every change. Whole-process `npm run
// -s pulumi -- preview --stack dev` (the engine rig: the real CLI, the stand-in plugins) in a copy of the
// project, against a floor: the same CLI, rig, plugins and runtime options on a one-resource program (one
// RandomPassword), and, apart, a plugin floor (one resource per plugin the dev stack loads). Alternating
// runs, medians, the ratio per pair; goal: dev <= 1.5x the floor. With --up, the
// same for a no-op `up` (after one real `up` of each; the dev one runs the stand-in PostgreSQL and Redis).
// Then a breakdown: the engine's own timeline of one more preview of each (program start, first registration,
// each plugin's launch and readiness, time inside provider calls, the end: testbed/bench/engine-timeline.ts),
// the rig alone (`pulumi version`), and the dev program evaluated under mocks (in-process, imports included).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EngineSession } from "../engine/session";
import { scriptArgs } from "../../cli/shared/program";
import { median } from "./whole-process";
import { type EngineTimeline, engineTimeline, formatTimeline } from "./engine-timeline";
import { ROOT } from "../root";
import { DEFAULT_POSTGRES_IMAGE } from "../../stack/config/keys";

const args = scriptArgs("npm run bench:preview --", {
  name: "bench:preview",
  summary: "whole-process `pulumi preview` of the dev stack against a one-resource floor, alternating pairs",
  flags: [
    { name: "--pairs", value: "N", help: "alternating dev/floor pairs (default 5)" },
    { name: "--up", help: "also a no-op `up` of each (after one real `up`)" },
  ],
});
const pairs = args.integer("--pairs", 5);
const withUp = args.has("--up");

const FLOOR_PROGRAM = `// One resource through the same CLI, language host and a stand-in plugin: the floor.
import * as random from "@pulumi/random";
export const length = new random.RandomPassword("floor", { length: 16 }).length;
`;

/**
 * A second floor, printed beside the first and never in its place: one resource per plugin the dev stack
 * loads (random, docker, Pulumi's dynamic-provider host, whose provider is given as text as the stack's
 * prebuilt ones are). Its ratio is what the dev program costs beyond the plugins Pulumi starts for it.
 */
const PLUGIN_FLOOR_PROGRAM = `// One resource per plugin the dev stack loads.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as docker from "@pulumi/docker";
const PROVIDER = "exports.handler = function () { return { async create(inputs) { return { id: 'floor', outs: inputs }; } }; };";
class Floor extends pulumi.CustomResource {
  constructor(name: string) {
    super("pulumi-nodejs:dynamic:Resource", name, { __provider: PROVIDER });
  }
}
export const length = new random.RandomPassword("floor", { length: 16 }).length;
export const image = new docker.RemoteImage("floor", { name: ${JSON.stringify(DEFAULT_POSTGRES_IMAGE)}, keepLocally: true }).name;
export const dynamic = new Floor("floor").urn;
`;

async function timed(s: EngineSession, args: string[]): Promise<number> {
  const run = await s.pulumi(args);
  return run.ms;
}

function row(label: string, dev: number[], floor: number[]): string {
  const ratios = dev.map((d, i) => d / floor[i]);
  const cells = ratios.map(
    (r, i) => `${(dev[i] / 1000).toFixed(1)}/${(floor[i] / 1000).toFixed(1)} ${r.toFixed(2)}x`,
  );
  return `| ${label} | ${cells.join(" | ")} | ${(median(dev) / 1000).toFixed(2)} s / ${(median(floor) / 1000).toFixed(2)} s | ${median(ratios).toFixed(2)}x |`;
}

/**
 * The real docker and random plugins are Go binaries that start in ~0.1-0.2 s; the stand-ins are Node
 * processes. Plugins start one after another on the engine's critical path, so each stand-in's start beyond
 * REAL_PLUGIN_MS is time only this machine's test bench costs: shown apart, never folded into the ratio.
 */
const REAL_PLUGIN_MS = 150;
const STANDINS = ["docker", "random", "aws"];

function standinShare(dev: number, floor: number, d: EngineTimeline, f: EngineTimeline): string[] {
  const excess = (t: EngineTimeline) =>
    Object.entries(t.plugins)
      .filter(([name, p]) => STANDINS.includes(name) && p.ready !== undefined)
      .reduce((sum, [, p]) => sum + Math.max(0, p.ready! - p.launched - REAL_PLUGIN_MS), 0);
  const [de, fe] = [excess(d), excess(f)];
  return [
    `the stand-in plugins' start beyond a real plugin's ${REAL_PLUGIN_MS} ms: dev ${Math.round(de)} ms, floor ` +
      `${Math.round(fe)} ms; without it (an estimate, not the measured ratio): ` +
      `${((dev - de) / (floor - fe)).toFixed(2)}x`,
  ];
}

async function main(): Promise<void> {
  const dev = EngineSession.create("bench-preview-dev");
  const floor = EngineSession.create("bench-preview-floor");
  const plugins = EngineSession.create("bench-preview-plugins");
  try {
    fs.writeFileSync(path.join(floor.project, "index.ts"), FLOOR_PROGRAM);
    fs.writeFileSync(path.join(plugins.project, "index.ts"), PLUGIN_FLOOR_PROGRAM);
    for (const s of [dev, floor, plugins]) {
      await s.pulumi(["login", `file://${s.backend}`]);
      await s.pulumi(["stack", "init", "dev"]);
      await s.pulumi(["preview", "--stack", "dev"]); // warm: plugin install, compile caches
    }
    const rig: number[] = [];
    const devPreview: number[] = [];
    const floorPreview: number[] = [];
    const pluginsPreview: number[] = [];
    for (let i = 0; i < pairs; i++) {
      rig.push(await timed(dev, ["version"]));
      devPreview.push(await timed(dev, ["preview", "--stack", "dev"]));
      floorPreview.push(await timed(floor, ["preview", "--stack", "dev"]));
      pluginsPreview.push(await timed(plugins, ["preview", "--stack", "dev"]));
    }
    const lines = [
      `node ${process.versions.node}; ${pairs} alternating pairs; cells: dev s / floor s, ratio`,
      "",
      `| command | ${Array.from({ length: pairs }, (_, i) => `pair ${i + 1}`).join(" | ")} | median dev / floor | median ratio |`,
      `| --- | ${Array.from({ length: pairs }, () => "---").join(" | ")} | --- | --- |`,
      row("`preview`", devPreview, floorPreview),
      row("`preview` against the plugin floor", devPreview, pluginsPreview),
    ];
    if (withUp) {
      // The first `up` (fresh stack, images present: the stand-in starts real servers): once each, reported
      // apart.
      const [devFirst, floorFirst] = [
        await timed(dev, ["up", "--stack", "dev", "--yes", "--skip-preview"]),
        await timed(floor, ["up", "--stack", "dev", "--yes", "--skip-preview"]),
      ];
      await timed(plugins, ["up", "--stack", "dev", "--yes", "--skip-preview"]);
      const devUp: number[] = [];
      const floorUp: number[] = [];
      const pluginsUp: number[] = [];
      for (let i = 0; i < pairs; i++) {
        devUp.push(await timed(dev, ["up", "--stack", "dev", "--yes"]));
        floorUp.push(await timed(floor, ["up", "--stack", "dev", "--yes"]));
        pluginsUp.push(await timed(plugins, ["up", "--stack", "dev", "--yes"]));
      }
      lines.push(
        row("no-op `up`", devUp, floorUp),
        row("no-op `up` against the plugin floor", devUp, pluginsUp),
      );
      // The same containers started alone on the stand-in daemon, as `docker compose up` would.
      const composeLike = spawnSync(
        process.execPath,
        ["-r", "./tools/ts-register.cjs", "testbed/bench/compose-like.ts", dev.dockerRoot],
        { cwd: ROOT, encoding: "utf8" },
      );
      const containersMs = JSON.parse(composeLike.stdout.trim().split("\n").pop() ?? "{}").ms as number;
      const goalMs = containersMs + 1.5 * floorFirst;
      lines.push(
        "",
        `first \`up\` (one run each): dev ${(devFirst / 1000).toFixed(2)} s, floor ${(floorFirst / 1000).toFixed(2)} s; ` +
          `the same containers started alone, compose-like (testbed/bench/compose-like.ts): ${(containersMs / 1000).toFixed(2)} s`,
        `goal: dev first \`up\` <= containers alone + 1.5x the floor's first \`up\` = ${(goalMs / 1000).toFixed(2)} s: ` +
          `${devFirst <= goalMs ? "met" : "not met"} (Pulumi's share of the dev first up ${((devFirst - containersMs) / 1000).toFixed(2)} s = ` +
          `${((devFirst - containersMs) / floorFirst).toFixed(2)}x the floor's)`,
      );
    }
    // One more, untimed, preview of each with the engine's log: where the time goes, step by step.
    const logged = ["preview", "--stack", "dev", "--logtostderr", "-v=9", "--logflow"];
    const devTimeline = engineTimeline((await dev.pulumi(logged)).stderr);
    const floorTimeline = engineTimeline((await floor.pulumi(logged)).stderr);
    const timelines = [
      ...formatTimeline("dev preview", devTimeline),
      ...formatTimeline("floor preview", floorTimeline),
    ];
    const evaluation = [0, 1, 2].map(() => {
      const run = spawnSync(
        process.execPath,
        ["-r", "./tools/ts-register.cjs", "testbed/bench/evaluate-program.ts", "Pulumi.dev.yaml", "dev"],
        { cwd: ROOT, encoding: "utf8" },
      );
      return JSON.parse(run.stdout.trim().split("\n").pop()!) as { totalMs: number; importMs: number };
    });
    const evalMs = median(evaluation.map((e) => e.totalMs));
    const importMs = median(evaluation.map((e) => e.importMs));
    const gap = median(devPreview) - median(floorPreview);
    lines.push("", ...timelines);
    lines.push(
      "",
      "breakdown of the preview (medians, ms):",
      `  rig + CLI start (\`pulumi version\`)                 ${Math.round(median(rig))}`,
      `  floor preview (rig, engine, language host, plugin)  ${Math.round(median(floorPreview))}`,
      `  dev - floor                                          ${Math.round(gap)}`,
      `    dev program under mocks (imports ${importMs} of it)   ${evalMs}`,
      `    the rest: docker/random/dynamic-provider plugins, check/diff calls  ${Math.round(gap - evalMs)}`,
      "",
      `goal: dev preview <= 1.5x the floor (median of the per-pair ratios: ${median(devPreview.map((d, i) => d / floorPreview[i])).toFixed(2)}x)`,
      ...standinShare(median(devPreview), median(floorPreview), devTimeline, floorTimeline),
    );
    console.log(lines.join("\n"));
  } finally {
    await dev.dispose();
    await floor.dispose();
    await plugins.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
