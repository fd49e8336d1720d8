import * as pulumi from "@pulumi/pulumi";
import type { RedisAppAccess } from "../../lib/redis/access";
import { redisPasswordHash, renderRedisConf } from "../../lib/redis/conf";
import { dataVolume, serviceContainer } from "./service-container";

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
  readonly appAccess: RedisAppAccess;
  readonly labels: Readonly<Record<string, string>>;
}

const REDIS_ALIAS = "redis";
const CONF_FILE = "/usr/local/etc/redis/redis.conf";
const ADMIN_PASSWORD_FILE = "/run/secrets/redis-admin-password";

/** Authenticated healthcheck: the seed's bare `redis-cli ping` failed with NOAUTH once a password was set. */
export function redisHealthcheck(adminUser: string, passwordFile: string, port: number): string[] {
  return [
    "CMD-SHELL",
    `REDISCLI_AUTH="$(cat ${passwordFile})" redis-cli --no-auth-warning --user ${adminUser} -p ${port} ping | grep -qx PONG`,
  ];
}

export class LocalRedis extends pulumi.ComponentResource {
  readonly containerName: pulumi.Output<string>;
  readonly volumeName: pulumi.Output<string>;
  readonly hostPort: number;
  readonly internalHost = REDIS_ALIAS;
  readonly internalPort = 6379;

  constructor(name: string, args: LocalRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:local:Redis", name, {}, opts);
    const volume = dataVolume(`${name}-data`, `${args.namePrefix}-redisdata`, args.labels, this);
    const conf = pulumi.all([args.adminPassword, args.appPassword]).apply(([admin, app]) =>
      renderRedisConf({
        // Inside the container network; the host side is published on 127.0.0.1 only.
        bind: ["0.0.0.0"],
        port: this.internalPort,
        dir: "/data",
        maxmemoryMb: args.maxmemoryMb,
        adminUser: args.adminUser,
        appUser: args.appUser,
        adminPasswordHash: redisPasswordHash(admin),
        appPasswordHash: redisPasswordHash(app),
        appAccess: args.appAccess,
      }),
    );
    const { container } = serviceContainer(
      name,
      {
        containerName: `${args.namePrefix}-redis`,
        image: args.image,
        networkName: args.networkName,
        alias: REDIS_ALIAS,
        internalPort: this.internalPort,
        hostPort: args.hostPort,
        healthcheck: redisHealthcheck(args.adminUser, ADMIN_PASSWORD_FILE, this.internalPort),
        command: ["redis-server", CONF_FILE],
        files: [
          { path: CONF_FILE, content: conf, owner: "999" },
          // Read by the healthcheck, which runs as root.
          { path: ADMIN_PASSWORD_FILE, content: args.adminPassword, owner: "0" },
        ],
        volume: { name: volume.name, containerPath: "/data" },
        labels: args.labels,
        // SIGTERM: Redis fsyncs the AOF and writes its final RDB snapshot before it exits.
        stopGraceSeconds: 30,
        liveness: "redis",
      },
      this,
    );
    this.containerName = container.name;
    this.volumeName = volume.name;
    this.hostPort = args.hostPort;
    this.registerOutputs({
      containerName: this.containerName,
      volumeName: this.volumeName,
      hostPort: this.hostPort,
    });
  }
}
