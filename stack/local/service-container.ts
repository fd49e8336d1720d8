// The shape every dev container shares: exact-version image, loopback-only host port, a healthcheck the
// provider waits for, secrets as uploaded files, labels naming the stack.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ServiceLiveness, ServiceProtocol } from "./liveness";

/** Host interface every published port binds to; the seed's 0.0.0.0 exposed Redis to the LAN. */
export const LOOPBACK = "127.0.0.1";

export interface SecretFile {
  readonly path: string;
  readonly content: pulumi.Input<string>;
  /** uid that must read it inside the container (the image's service user). */
  readonly owner: string;
  /** Default 0400 (secrets); scripts need the execute bit. */
  readonly permissions?: string;
}

export interface ServiceContainerArgs {
  readonly containerName: string;
  readonly image: string;
  /** Another container's pull of the same image, used instead of pulling it again (one resource fewer). */
  readonly pulled?: docker.RemoteImage;
  readonly networkName: pulumi.Input<string>;
  /** DNS name other containers on the stack's network use. */
  readonly alias: string;
  readonly internalPort: number;
  readonly hostPort: number;
  readonly healthcheck: string[];
  readonly envs?: string[];
  readonly entrypoint?: string[];
  readonly command?: string[];
  readonly files?: readonly SecretFile[];
  readonly volume?: { readonly name: pulumi.Input<string>; readonly containerPath: string };
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Input paths whose changes must not replace the container (e.g. a seed file another resource keeps
   * current).
   */
  readonly ignoreChanges?: string[];
  /**
   * Seconds the image's stop signal gets before SIGKILL on replace and destroy. Unset, the provider
   * force-removes the container at once (SIGKILL): PostgreSQL then needs crash recovery and Redis writes no
   * final snapshot.
   */
  readonly stopGraceSeconds: number;
  /**
   * Data stores: probe the published port on every preview/`up` and recreate the container when it is down.
   */
  readonly liveness?: ServiceProtocol;
}

/** The provider's upload type, so a field the provider renames or drops fails to compile here. */
export function uploads(files: readonly SecretFile[]): docker.types.input.ContainerUpload[] {
  return files.map((f) => ({
    file: f.path,
    content: pulumi.secret(f.content),
    owner: f.owner,
    group: f.owner,
    permissions: f.permissions ?? "0400",
  }));
}

export function serviceContainer(
  name: string,
  args: ServiceContainerArgs,
  parent: pulumi.Resource,
): { image: docker.RemoteImage; container: docker.Container } {
  const image =
    args.pulled ??
    new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent });
  const liveness = args.liveness
    ? new ServiceLiveness(
        `${name}-liveness`,
        { host: LOOPBACK, port: args.hostPort, protocol: args.liveness },
        { parent },
      )
    : undefined;
  const container = new docker.Container(
    name,
    {
      name: args.containerName,
      image: image.imageId,
      restart: "unless-stopped",
      networksAdvanced: [{ name: args.networkName, aliases: [args.alias] }],
      ports: [{ internal: args.internalPort, external: args.hostPort, ip: LOOPBACK }],
      healthcheck: {
        tests: args.healthcheck,
        interval: "10s",
        timeout: "5s",
        retries: 5,
        startPeriod: "30s",
      },
      // `pulumi up` returns only once the container reports healthy, so the schema step can follow it.
      wait: true,
      waitTimeout: 180,
      envs: args.envs,
      entrypoints: args.entrypoint,
      command: args.command,
      // The provider's default; said here because the liveness check relies on refresh seeing it.
      mustRun: true,
      destroyGraceSeconds: args.stopGraceSeconds,
      uploads: uploads(args.files ?? []),
      volumes: args.volume
        ? [{ volumeName: args.volume.name, containerPath: args.volume.containerPath }]
        : [],
      labels: dockerLabels(args.labels),
    },
    // Fixed container names and host ports collide with themselves under create-before-delete (the Docker
    // provider starts the new container while the old one still holds both), and a rotated password changes
    // the uploads, which forces a replacement.
    {
      parent,
      deleteBeforeReplace: true,
      ignoreChanges: args.ignoreChanges,
      // null is "no trigger" to the engine; the SDK cannot send an undefined one.
      replacementTrigger: liveness?.generation.apply((g) => g ?? null),
    },
  );
  return { image, container };
}

export function stackLabels(stack: string, environment: string, owner: string): Record<string, string> {
  return {
    "com.offthegrid.project": "offthegrid-database",
    "com.offthegrid.stack": stack,
    "com.offthegrid.environment": environment,
    "com.offthegrid.owner": owner,
  };
}

/** Docker wants labels as a list of { label, value }. */
export function dockerLabels(labels: Readonly<Record<string, string>>): { label: string; value: string }[] {
  return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

/**
 * A named volume for a service's data. It outlives `pulumi destroy`; docs/stacks.md says how to wipe it on
 * purpose.
 */
export function dataVolume(
  name: string,
  volumeName: string,
  labels: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): docker.Volume {
  return new docker.Volume(
    name,
    { name: volumeName, labels: dockerLabels(labels) },
    { parent, retainOnDelete: true },
  );
}
