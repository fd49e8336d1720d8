import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { RedisAppAccess } from "./access";
import { redisPasswordHash, renderRedisConf } from "./conf";
import { HEALTHCHECK_USER, redisUserRules, renderUserLines } from "./users-acl";
import { RedisUsers } from "./container-acl";
import { REDIS_STORES, RedisStore } from "./stores";
import { LOOPBACK, dataVolume, serviceContainer } from "../local/service-container";

export interface LocalRedisArgs {
  readonly namePrefix: string;
  readonly networkName: pulumi.Input<string>;
  /** Exact Redis 7 image. */
  readonly image: string;
  readonly hostPort: number;
  readonly maxmemoryMb: number;
  readonly adminUser: string;
  readonly appUser: string;
  readonly adminPassword: pulumi.Input<string>;
  readonly appPassword: pulumi.Input<string>;
  /** Accepted alongside the current one until retired (zero-downtime rotation). */
  readonly previousAdminPassword?: pulumi.Input<string>;
  readonly previousAppPassword?: pulumi.Input<string>;
  readonly appAccess: RedisAppAccess;
  readonly labels: Readonly<Record<string, string>>;
  /** The other store's pull of the same image (`image`), so the second store pulls nothing. */
  readonly pulled?: docker.RemoteImage;
  /** Which store (eviction policy, names); default the state store, whose names predate the cache store. */
  readonly store?: RedisStore;
}

const CONF_FILE = "/usr/local/etc/redis/redis.conf";
/** The users live on the data volume: ACL SAVE writes them there, so restarts and replacements keep them. */
const ACL_FILE = "/data/users.acl";
/** The users at container creation, copied to ACL_FILE on the container's first start only. */
const ACL_SEED = "/usr/local/etc/redis/users.acl.seed";
const ENTRYPOINT = "/usr/local/bin/offthegrid-redis-entrypoint.sh";

/**
 * The seed becomes the aclfile only when the volume has not seen this seed before: a stack made anew after
 * `destroy` has new passwords (a new seed) while the retained volume still holds the old ones. A container
 * that replaces another (new image, `up --replace`, recreation after a crash) carries the seed of the first
 * one, since the program ignores later changes to it, so its users are older than what RedisUsers applied and
 * ACL SAVE wrote since: copying it would bring back passwords rotated away, and lock RedisUsers out once the
 * admin password has rotated twice. So the volume records which seed it took (its sha256). Then the image's
 * own entrypoint (drops to the redis user, chowns /data).
 */
export const REDIS_ENTRYPOINT = [
  "#!/bin/sh",
  "set -e",
  'seed="$(sha256sum "$ACL_SEED" | cut -d " " -f 1)"',
  'if [ ! -f "$ACL_FILE" ] || [ "$(cat "$ACL_FILE.seed" 2>/dev/null)" != "$seed" ]; then',
  '  cp "$ACL_SEED" "$ACL_FILE"; chmod 600 "$ACL_FILE"; printf "%s\\n" "$seed" > "$ACL_FILE.seed"',
  "fi",
  'exec docker-entrypoint.sh "$@"',
  "",
].join("\n");

/**
 * Healthcheck as the PING-only user: it needs no secret in the container (the seed's bare `redis-cli ping`
 * failed with NOAUTH once a password was set; a password file would change, and replace the container, on
 * rotation).
 */
export function redisHealthcheck(port: number): string[] {
  return [
    "CMD-SHELL",
    `REDISCLI_AUTH=healthcheck redis-cli --no-auth-warning --user ${HEALTHCHECK_USER} -p ${port} ping | grep -qx PONG`,
  ];
}

export class LocalRedis extends pulumi.ComponentResource {
  readonly containerName: pulumi.Output<string>;
  readonly volumeName: pulumi.Output<string>;
  readonly image: docker.RemoteImage;
  readonly hostPort: number;
  readonly internalHost: string;
  readonly internalPort = 6379;

  constructor(name: string, args: LocalRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:local:Redis", name, {}, opts);
    const store = args.store ?? "state";
    const suffix = REDIS_STORES[store].suffix;
    this.internalHost = `redis${suffix}`;
    const volume = dataVolume(`${name}-data`, `${args.namePrefix}-redis${suffix}data`, args.labels, this);
    const hash = (p: pulumi.Input<string> | undefined) =>
      pulumi.output(p).apply((v) => (v === undefined ? undefined : redisPasswordHash(v)));
    const users = pulumi
      .all([
        hash(args.adminPassword),
        hash(args.appPassword),
        hash(args.previousAdminPassword),
        hash(args.previousAppPassword),
      ])
      .apply(([admin, app, previousAdmin, previousApp]) =>
        redisUserRules({
          adminUser: args.adminUser,
          appUser: args.appUser,
          adminPasswordHash: admin as string,
          appPasswordHash: app as string,
          previousAdminPasswordHash: previousAdmin,
          previousAppPasswordHash: previousApp,
          appAccess: args.appAccess,
        }),
      );
    // No user, no password: a rotation leaves redis.conf, and so the container, as it is.
    const conf = renderRedisConf({
      // Inside the container network; the host side is published on 127.0.0.1 only.
      bind: ["0.0.0.0"],
      port: this.internalPort,
      dir: "/data",
      maxmemoryMb: args.maxmemoryMb,
      store,
      aclfile: ACL_FILE,
    });
    const { container, image } = serviceContainer(
      name,
      {
        containerName: `${args.namePrefix}-redis${suffix}`,
        image: args.image,
        pulled: args.pulled,
        networkName: args.networkName,
        alias: this.internalHost,
        internalPort: this.internalPort,
        hostPort: args.hostPort,
        healthcheck: redisHealthcheck(this.internalPort),
        envs: [`ACL_FILE=${ACL_FILE}`, `ACL_SEED=${ACL_SEED}`],
        entrypoint: [ENTRYPOINT],
        command: ["redis-server", CONF_FILE],
        files: [
          { path: CONF_FILE, content: conf, owner: "999" },
          { path: ENTRYPOINT, content: REDIS_ENTRYPOINT, owner: "0", permissions: "0555" },
          // Read once, on the container's first start; afterwards RedisUsers below owns the users.
          { path: ACL_SEED, content: users.apply((u) => `${renderUserLines(u).join("\n")}\n`), owner: "999" },
        ],
        // The seed is the third upload: its later changes are RedisUsers' job, not a reason to replace.
        ignoreChanges: ["uploads[2]"],
        volume: { name: volume.name, containerPath: "/data" },
        labels: args.labels,
        // SIGTERM: Redis fsyncs the AOF and writes its final RDB snapshot before it exits.
        stopGraceSeconds: 30,
        liveness: "redis",
      },
      this,
    );
    // Applied from the host through the published loopback port, after the container is healthy.
    new RedisUsers(
      `${name}-users`,
      {
        host: LOOPBACK,
        port: args.hostPort,
        adminUser: args.adminUser,
        adminPassword: args.adminPassword,
        previousAdminPassword: args.previousAdminPassword,
        users,
        containerId: container.id,
      },
      { parent: this, dependsOn: [container] },
    );
    this.containerName = container.name;
    this.volumeName = volume.name;
    this.image = image;
    this.hostPort = args.hostPort;
    this.registerOutputs({
      containerName: this.containerName,
      volumeName: this.volumeName,
      hostPort: this.hostPort,
    });
  }
}
