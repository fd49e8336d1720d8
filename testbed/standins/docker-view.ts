// What the stand-in docker provider knows about one container: its spec (the provider's inputs it acts on)
// and how the container's own paths and port look from the host. Shared by the container lifecycle
// (docker-container.ts) and the images' start-up contracts (docker-services.ts), which import it and never
// each other.
import * as path from "node:path";
import { containerDir, volumeDir } from "./docker-host";

export interface UploadSpec {
  file: string;
  content?: string;
  contentBase64?: string;
  permissions?: string;
  /** uid/gid as the provider takes them (strings); the provider's default is root (0). */
  owner?: string;
  group?: string;
}

export interface ContainerSpec {
  name: string;
  image: string;
  envs?: string[];
  entrypoints?: string[];
  command?: string[];
  ports?: { internal: number; external: number; ip?: string }[];
  uploads?: UploadSpec[];
  volumes?: { volumeName?: string; hostPath?: string; containerPath: string }[];
  healthcheck?: { tests: string[]; timeout?: string };
  wait?: boolean;
  waitTimeout?: number;
  mustRun?: boolean;
  destroyGraceSeconds?: number;
}

export class ContainerView {
  readonly dir: string;
  readonly rootfs: string;
  private readonly mounts: [string, string][];

  constructor(readonly spec: ContainerSpec) {
    this.dir = containerDir(spec.name);
    this.rootfs = path.join(this.dir, "rootfs");
    this.mounts = (spec.volumes ?? []).map((v) => [
      v.containerPath,
      v.hostPath ?? volumeDir(v.volumeName ?? ""),
    ]);
  }

  hostPath(containerPath: string): string {
    for (const [inside, outside] of this.mounts) {
      if (containerPath === inside || containerPath.startsWith(`${inside}/`)) {
        return outside + containerPath.slice(inside.length);
      }
    }
    return path.join(this.rootfs, containerPath);
  }

  get port(): { internal: number; external: number; ip: string } {
    const p = this.spec.ports?.[0];
    if (!p) throw new Error(`container ${this.spec.name}: the stand-in needs one published port`);
    return { internal: p.internal, external: p.external, ip: p.ip || "0.0.0.0" };
  }

  env(): Record<string, string> {
    return Object.fromEntries(
      (this.spec.envs ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
    );
  }

  upload(containerPath: string): UploadSpec | undefined {
    return this.spec.uploads?.find((u) => u.file === containerPath);
  }

  /** Text with the container's paths (uploads, mounts) replaced by where they live on the host. */
  translatePaths(text: string): string {
    let out = text;
    const paths = [...(this.spec.uploads ?? []).map((u) => u.file), ...this.mounts.map(([inside]) => inside)];
    for (const p of paths.sort((a, b) => b.length - a.length)) out = out.split(p).join(this.hostPath(p));
    return out;
  }

  /** A healthcheck argument as the host must run it: container paths and the internal port translated. */
  translate(arg: string): string {
    const { internal, external } = this.port;
    return this.translatePaths(arg).replace(new RegExp(`\\b${internal}\\b`, "g"), String(external));
  }
}
