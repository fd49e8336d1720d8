// A `docker compose up`-like figure for the dev stack's first `up`: the same container specs the stack
// created (read from the stand-in daemon's records), started together on a fresh daemon folder with fresh
// volumes and free host ports, each waited for until healthy, without Pulumi. Child process of bench:preview:
// argv[2] is the session's daemon folder; prints {"ms": ...} as its last line.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../ports";

async function main(): Promise<void> {
  const source = process.argv[2];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-compose-like-"));
  fs.chmodSync(root, 0o711);
  process.env.OFFTHEGRID_STANDIN_DOCKER_ROOT = root;
  // Loaded after the daemon folder is chosen: the stand-in derives every path from it.
  const containers = await import("../standins/docker-container");
  const names = fs.readdirSync(path.join(source, "containers"));
  const specs = await Promise.all(
    names.map(async (name) => {
      const state = JSON.parse(fs.readFileSync(path.join(source, "containers", name, "state.json"), "utf8"));
      const spec = state.spec as import("../standins/docker-view").ContainerSpec;
      const ports = await Promise.all(
        (spec.ports ?? []).map(async (p) => ({ ...p, external: await freePort() })),
      );
      return { ...spec, ports, wait: true };
    }),
  );
  const started = performance.now();
  try {
    await Promise.all(specs.map((spec) => containers.createContainer(spec, spec.name, {})));
    console.log(JSON.stringify({ ms: Math.round(performance.now() - started), containers: specs.length }));
  } finally {
    for (const spec of specs) await containers.stopProcess(spec.name, 5);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
