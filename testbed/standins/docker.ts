// Stand-in for the `docker` provider (no Docker engine here): networks and images are records, volumes are
// folders that outlive `destroy` when the program retains them, and containers run their image's process
// natively (see docker-container.ts). Diffs follow the bridged provider's schema (docker-semantics.ts):
// nearly every container property is ForceNew, a few are in-place, set-typed ones ignore order.
import * as fs from "node:fs";
import { alive, containerState, createContainer, removeContainer } from "./docker-container";
import { hexId, readJson, recordPath, resolveImage, volumeDir, writeJson } from "./docker-host";
import { containerDiff } from "./docker-semantics";
import type { ContainerSpec } from "./docker-view";
import { Props, changedKeys, parseUrn, plain, serve } from "./kit";

const T = {
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  image: "docker:index/remoteImage:RemoteImage",
  container: "docker:index/container:Container",
};

function imageName(image: string): string {
  return readJson<{ name: string }>(recordPath("images", image))?.name ?? image;
}

function imageOuts(inputs: Props, name: string): { id: string; outs: Props } {
  const imageId = resolveImage(name);
  writeJson(recordPath("images", imageId), { name });
  return {
    id: `${imageId}${name}`,
    outs: { ...inputs, imageId, repoDigest: `${name.split("@")[0].split(":")[0]}@${imageId}` },
  };
}

function containerSpec(props: Props): ContainerSpec {
  const args = plain<Props>(props);
  return { ...(args as unknown as ContainerSpec), image: imageName(String(args.image)) };
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
    case T.image:
      return imageOuts(inputs, name);
    case T.container: {
      const id = hexId("container", name, String(Date.now()));
      const outs = { ...inputs, name };
      await createContainer(containerSpec(inputs), id, outs);
      return { id, outs };
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
    if (type === T.container) {
      const { changed, replaces } = containerDiff(olds, news);
      return { changes: changed.length > 0, replaces };
    }
    const changed = changedKeys(olds, news, ["imageId", "repoDigest", "mountpoint"]);
    const replaces = changed.filter((k) => !(type === T.image && k === "keepLocally"));
    return { changes: changed.length > 0, replaces };
  },
  async create(urn: string, inputs: Props) {
    // A ContainerInitError carries `id`, `properties` and `reasons`: the provider server returns them as
    // ErrorResourceInitFailed, and the engine records the partial container with its init error.
    return create(parseUrn(urn).type, inputs);
  },
  async update(_id: string, _urn: string, olds: Props, news: Props) {
    // resourceDockerContainerUpdate only calls ContainerUpdate (restart policy, resources): it neither starts
    // a container nor waits for it, also when the engine retries a create that failed to initialise.
    return { outs: { ...news, name: news.name ?? olds.name } };
  },
  async read(id: string, urn: string, props?: Props) {
    const { type } = parseUrn(urn);
    const current = props ?? {};
    if (type === T.container) {
      const state = containerState(String(plain(current.name)));
      if (!state) return { id: "", props: {} };
      const running = alive(state.pid);
      // A stopped container has no port bindings, and the provider records must_run=false for it.
      return {
        id,
        props: running
          ? { ...current, ports: state.spec.ports ?? [] }
          : { ...current, ports: [], mustRun: false },
      };
    }
    if (type === T.image) {
      // The provider re-resolves `name` among local images: a tag that moved yields another image id.
      const image = imageOuts(current, String(plain(current.name)));
      return { id: image.id, props: image.outs };
    }
    if (type === T.volume && !fs.existsSync(volumeDir(String(plain(current.name)))))
      return { id: "", props: {} };
    return { id, props: current };
  },
  async delete(_id: string, urn: string, props: Props) {
    const { type } = parseUrn(urn);
    const name = String(plain(props.name) ?? "");
    if (type === T.container)
      await removeContainer(name, plain<number | undefined>(props.destroyGraceSeconds));
    else if (type === T.volume) fs.rmSync(volumeDir(name), { recursive: true, force: true });
    else if (type === T.network) fs.rmSync(recordPath("networks", name), { force: true });
  },
});
