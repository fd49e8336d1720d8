// `npm run -s standins:docker -- <command>`: the stand-in docker daemon's `docker volume ls|rm` and `docker ps`,
// for what `pulumi destroy` deliberately keeps (retained data volumes). It looks where the stand-in plugin of
// `npm run -s pulumi` looks: OFFTHEGRID_STANDIN_DOCKER_ROOT, or the folder of the suite's PULUMI_HOME.
import * as fs from "node:fs";
import * as path from "node:path";
import { defaultHome } from "./cli";

process.env.PULUMI_HOME = defaultHome();
// Loaded after PULUMI_HOME is set: the daemon folder is derived from it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const host = require("../standins/docker-host") as typeof import("../standins/docker-host");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const containers = require("../standins/docker-container") as typeof import("../standins/docker-container");

const USAGE = "usage: npm run -s standins:docker -- ps | volume ls | volume rm <name>...";

function containerNames(): string[] {
  const dir = path.join(host.dockerRoot(), "containers");
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => containers.containerState(n)) : [];
}

/** Names of the volumes a container (running or stopped) mounts: Docker refuses to remove those. */
function volumesInUse(): Map<string, string> {
  const used = new Map<string, string>();
  for (const name of containerNames()) {
    for (const v of containers.containerState(name)?.spec.volumes ?? []) {
      if (v.volumeName) used.set(v.volumeName, name);
    }
  }
  return used;
}

function main(args: string[]): number {
  const [command, sub, ...rest] = args;
  if (command === "ps") {
    for (const name of containerNames()) {
      const state = containers.containerState(name);
      console.log(`${name}\t${state && containers.alive(state.pid) ? "running" : "exited"}`);
    }
    return 0;
  }
  if (command === "volume" && sub === "ls") {
    const dir = path.join(host.dockerRoot(), "volumes");
    for (const name of fs.readdirSync(dir)) console.log(name);
    return 0;
  }
  if (command === "volume" && sub === "rm" && rest.length > 0) {
    const used = volumesInUse();
    let failed = 0;
    for (const name of rest) {
      const dir = host.volumeDir(name);
      if (used.has(name)) {
        console.error(
          `Error: volume ${name} is in use by container ${used.get(name)}: \`pulumi destroy\` (or remove the container) first`,
        );
        failed++;
      } else if (!fs.existsSync(dir)) {
        console.error(`Error: no such volume: ${name}`);
        failed++;
      } else {
        fs.rmSync(dir, { recursive: true, force: true });
        console.log(name);
      }
    }
    return failed > 0 ? 1 : 0;
  }
  console.error(USAGE);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
