// Stand-in for the `docker` provider (no Docker engine here): networks and images are records, volumes are
// folders that outlive `destroy` when the program retains them, and containers run their image's process natively
// (see docker-container.ts). Containers are replaced on any change but their restart policy, as the bridged
// provider's schema marks nearly every container property ForceNew.
import * as fs from "node:fs";
import { ContainerSpec, alive, containerState, createContainer, stopContainer } from "./docker-container";
import { hexId, readJson, recordPath, volumeDir, writeJson } from "./docker-host";
import { Props, changedKeys, parseUrn, plain, serve } from "./kit";

const T = {
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  image: "docker:index/remoteImage:RemoteImage",
  container: "docker:index/container:Container",
};

const UPDATABLE: Record<string, string[]> = {
  [T.container]: ["restart", "wait", "waitTimeout"],
  [T.image]: ["keepLocally"],
};

function imageName(image: string): string {
  return readJson<{ name: string }>(recordPath("images", image))?.name ?? image;
}

async function create(type: string, inputs: Props): Promise<{ id: string; outs: Props }> {
  const args = plain<Props>(inputs);
  const name = String(args.name ?? "");
  switch (type) {
    case T.network: {
      const id = hexId("network", name);
      writeJson(recordPath("networks", name), { id, name });
      return { id, outs: { ...inputs, name } };
    }
    case T.volume: {
      // `docker volume create` with an existing name returns that volume: retained data is reused.
      fs.mkdirSync(volumeDir(name), { recursive: true, mode: 0o755 });
      return { id: name, outs: { ...inputs, name, mountpoint: volumeDir(name) } };
    }
    case T.image: {
      const imageId = `sha256:${hexId("image", name)}`;
      writeJson(recordPath("images", imageId), { name });
      return {
        id: `${imageId}${name}`,
        outs: { ...inputs, imageId, repoDigest: `${name.split(":")[0]}@${imageId}` },
      };
    }
    case T.container: {
      const spec = { ...(args as unknown as ContainerSpec), image: imageName(String(args.image)) };
      await createContainer(spec);
      return { id: hexId("container", name, String(Date.now())), outs: { ...inputs, name } };
    }
    default:
      throw new Error(`stand-in docker provider: ${type} is not implemented`);
  }
}

serve("docker", {
  version: "",
  async check(_urn: string, _olds: Props, news: Props) {
    return { inputs: news };
  },
  async diff(_id: string, urn: string, olds: Props, news: Props) {
    const { type } = parseUrn(urn);
    const changed = changedKeys(olds, news, ["imageId", "repoDigest", "mountpoint", "running"]);
    const replaces = changed.filter((k) => !(UPDATABLE[type] ?? []).includes(k));
    return { changes: changed.length > 0, replaces };
  },
  async create(urn: string, inputs: Props) {
    return create(parseUrn(urn).type, inputs);
  },
  async update(_id: string, _urn: string, _olds: Props, news: Props) {
    return { outs: news };
  },
  async read(id: string, urn: string, props?: Props) {
    const { type } = parseUrn(urn);
    const current = props ?? {};
    if (type === T.container) {
      // A stopped container still exists (as `docker stop` leaves it); only a removed one is gone.
      const state = containerState(String(plain(current.name)));
      return { id: state ? id : "", props: { ...current, running: state ? alive(state.pid) : false } };
    }
    if (type === T.volume && !fs.existsSync(volumeDir(String(plain(current.name)))))
      return { id: "", props: {} };
    return { id, props: current };
  },
  async delete(_id: string, urn: string, props: Props) {
    const { type } = parseUrn(urn);
    const name = String(plain(props.name) ?? "");
    if (type === T.container) await stopContainer(name);
    else if (type === T.volume) fs.rmSync(volumeDir(name), { recursive: true, force: true });
    else if (type === T.network) fs.rmSync(recordPath("networks", name), { force: true });
  },
});
