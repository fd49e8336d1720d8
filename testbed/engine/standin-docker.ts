// `npm run -s standins:docker -- <command>`: the stand-in docker daemon's `docker volume ls|rm` and `docker
// ps`, for what `pulumi destroy` deliberately keeps (retained data volumes). It looks where the stand-in
// plugin of `npm run -s pulumi` looks: OFFTHEGRID_STANDIN_DOCKER_ROOT, or the folder of the suite's
// PULUMI_HOME.
import * as fs from "node:fs";
import * as path from "node:path";
import { Io, processIo } from "../../cli/shared/io";
import { Command, EXIT, Program, UsageError, runProgram } from "../../cli/shared/program";
import { defaultHome } from "./cli";

process.env.PULUMI_HOME = defaultHome();
// Loaded after PULUMI_HOME is set: the daemon folder is derived from it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const host = require("../standins/docker-host") as typeof import("../standins/docker-host");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const containers = require("../standins/docker-container") as typeof import("../standins/docker-container");

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

const ps: Command = {
  name: "ps",
  summary: "list the stand-in containers, running or exited",
  async run(_args, io) {
    for (const name of containerNames()) {
      const state = containers.containerState(name);
      io.out(`${name}\t${state && containers.alive(state.pid) ? "running" : "exited"}`);
    }
    return EXIT.ok;
  },
};

/** Docker's own rule for volume names; it also keeps `rm` inside the volumes folder (no "..", no "/"). */
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function removeVolumes(names: readonly string[], io: Io): number {
  const used = volumesInUse();
  let failed = 0;
  for (const name of names) {
    const dir = host.volumeDir(name);
    const problem = !VOLUME_NAME.test(name)
      ? `invalid volume name ${JSON.stringify(name)}: letters, digits, "_", "." and "-" only`
      : used.has(name)
        ? `volume ${name} is in use by container ${used.get(name)}: \`pulumi destroy\` (or remove the container) first`
        : !fs.existsSync(dir)
          ? `no such volume: ${name}`
          : undefined;
    if (problem) {
      io.err(`Error: ${problem}`);
      failed++;
    } else {
      fs.rmSync(dir, { recursive: true, force: true });
      io.out(name);
    }
  }
  return failed > 0 ? EXIT.failed : EXIT.ok;
}

const volume: Command = {
  name: "volume",
  summary: "`volume ls` lists the stand-in volumes; `volume rm NAME...` removes those no container mounts",
  args: ["ls|rm", "[NAME...]"],
  async run(args, io) {
    const [sub, ...names] = args.positionals;
    if (sub === "ls" && names.length === 0) {
      for (const name of fs.readdirSync(path.join(host.dockerRoot(), "volumes"))) io.out(name);
      return EXIT.ok;
    }
    if (sub === "rm" && names.length > 0) return removeVolumes(names, io);
    throw new UsageError(`"volume" takes ls, or rm and one or more volume names`);
  },
};

export const program: Program = {
  name: "npm run -s standins:docker --",
  summary: "the stand-in docker daemon's containers and the volumes `pulumi destroy` keeps",
  commands: [ps, volume],
};

if (require.main === module) {
  void runProgram(program, process.argv.slice(2), processIo).then((code) => (process.exitCode = code));
}
