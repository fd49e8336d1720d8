import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { DockerStackConfig } from "../config/types";
import type { DataStoreEndpoints, ToolEndpoint } from "../endpoints";
import { ADMIN_ROLE, REDIS_USERS } from "../credentials/roles";
import { LocalPostgres } from "../postgres/container";
import { LocalRedis } from "../redis/container";
import type { RedisStore } from "../redis/stores";
import { ConfigGuard, warnOnChange } from "../config-guard";
import { LOOPBACK, dockerLabels, stackLabels } from "./service-container";
import { PortProbe, probePort } from "./port-probe";
import { hostPortGuards, storeConsequence } from "./store-guard";
import { LocalTools } from "./tools";

export interface LocalDataStoresArgs {
  readonly config: DockerStackConfig;
  readonly passwords: Readonly<
    Record<"postgresAdmin" | "redisAdmin" | "redisApp" | "pgadmin" | "redisCommander", pulumi.Input<string>>
  >;
  /** The Redis passwords before the latest rotation, kept valid until their epoch is retired. */
  readonly previousPasswords: Readonly<Partial<Record<"redisAdmin" | "redisApp", pulumi.Input<string>>>>;
}

/**
 * The dev environment: PostgreSQL, Redis and (optionally) their admin tools on one private Docker network.
 */
export class LocalDataStores extends pulumi.ComponentResource {
  readonly endpoints: DataStoreEndpoints;
  readonly postgres: LocalPostgres;
  readonly redis: LocalRedis;
  readonly redisCache: LocalRedis;

  constructor(name: string, args: LocalDataStoresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:local:DataStores", name, {}, opts);
    const { config, passwords } = args;
    const namePrefix = `offthegrid-${config.stack}`;
    const labels = stackLabels(config.stack, config.environment, config.owner);
    const guard = changeGuard(`${name}-changes`, config, this);
    // Nothing of the stores is registered before the guard passed, so a refused port removes no container.
    const after = { parent: this, dependsOn: [guard] };

    const network = new docker.Network(
      `${name}-network`,
      {
        name: `${namePrefix}-net`,
        driver: "bridge",
        labels: dockerLabels(labels),
      },
      // A fixed name collides with itself under create-before-delete, and the labels force replacement.
      { ...after, deleteBeforeReplace: true },
    );
    this.postgres = new LocalPostgres(
      `${name}-postgres`,
      {
        namePrefix,
        networkName: network.name,
        image: config.postgres.image,
        hostPort: config.postgres.hostPort,
        database: config.postgresDatabase,
        adminUser: ADMIN_ROLE.name,
        adminPassword: passwords.postgresAdmin,
        labels,
      },
      after,
    );
    // One credential set for both stores; the app user's key families differ per store.
    const redis = (
      store: RedisStore,
      resourceName: string,
      hostPort: number,
      maxmemoryMb: number,
      pulled?: LocalRedis["image"],
    ) =>
      new LocalRedis(
        resourceName,
        {
          namePrefix,
          networkName: network.name,
          image: config.redis.image,
          hostPort,
          maxmemoryMb,
          adminUser: REDIS_USERS.admin,
          appUser: REDIS_USERS.app,
          adminPassword: passwords.redisAdmin,
          appPassword: passwords.redisApp,
          // As on AWS: the previous password stays valid until its epoch is marked retired (or the next
          // rotation).
          previousAdminPassword:
            config.redis.retiredEpoch.admin < config.rotation.redisAdmin
              ? args.previousPasswords.redisAdmin
              : undefined,
          previousAppPassword:
            config.redis.retiredEpoch.app < config.rotation.redisApp
              ? args.previousPasswords.redisApp
              : undefined,
          appAccess: store === "state" ? config.redisAccess : config.redisCacheAccess,
          labels,
          store,
          pulled,
        },
        after,
      );
    this.redis = redis("state", `${name}-redis`, config.redis.hostPort, config.redis.maxmemoryMb);
    this.redisCache = redis(
      "cache",
      `${name}-redis-cache`,
      config.redis.cache.hostPort,
      config.redis.cache.maxmemoryMb,
      this.redis.image,
    );
    let tools: Record<string, ToolEndpoint> = {};
    if (config.tools.enabled) {
      const t = new LocalTools(
        `${name}-tools`,
        {
          namePrefix,
          networkName: network.name,
          labels,
          pgadmin: {
            image: config.tools.pgadminImage,
            hostPort: config.tools.pgadminHostPort,
            email: config.tools.pgadminEmail,
            password: passwords.pgadmin,
            passwordEpoch: config.rotation.pgadmin,
          },
          redisCommander: {
            image: config.tools.redisCommanderImage,
            hostPort: config.tools.redisCommanderHostPort,
            user: "admin",
            password: passwords.redisCommander,
          },
          postgres: {
            host: this.postgres.internalHost,
            port: this.postgres.internalPort,
            database: config.postgresDatabase,
            user: ADMIN_ROLE.name,
          },
          redis: {
            host: this.redis.internalHost,
            port: this.redis.internalPort,
            user: REDIS_USERS.admin,
            password: passwords.redisAdmin,
          },
        },
        { parent: this, dependsOn: [guard, this.postgres, this.redis] },
      );
      tools = {
        pgadmin: { url: t.pgadminUrl, login: config.tools.pgadminEmail, credential: "pgadmin" },
        redisCommander: { url: t.redisCommanderUrl, login: "admin", credential: "redisCommander" },
      };
    }

    this.endpoints = {
      postgres: {
        host: LOOPBACK,
        port: config.postgres.hostPort,
        database: config.postgresDatabase,
        sslmode: "disable",
      },
      postgresReady: [this.postgres],
      schemaTarget: { host: LOOPBACK, port: config.postgres.hostPort },
      iamLogins: [],
      postgresReaders: [],
      redis: { host: LOOPBACK, port: config.redis.hostPort, tls: false },
      redisCache: { host: LOOPBACK, port: config.redis.cache.hostPort, tls: false },
      tools,
    };
    this.registerOutputs({ network: network.name, toolUrls: Object.values(tools).map((t) => t.url) });
  }
}

/**
 * Probes every host port the stack publishes, refuses one this machine cannot bind (unless the stack's own
 * container holds it), and warns in preview about a change that replaces a store's container.
 */
function changeGuard(name: string, config: DockerStackConfig, parent: pulumi.Resource): ConfigGuard {
  const ports = config.hostPorts;
  const watched = {
    postgresImage: config.postgres.image,
    redisImage: config.redis.image,
    redisMaxmemoryMb: config.redis.maxmemoryMb,
    redisCacheMaxmemoryMb: config.redis.cache.maxmemoryMb,
  };
  const probes = Promise.all(
    Object.entries(ports).map(async ([key, port]) => [key, await probePort(LOOPBACK, port)] as const),
  ).then((entries) => Object.fromEntries(entries) as Record<string, PortProbe>);
  const guard = new ConfigGuard(
    name,
    probes.then((p) => ({
      ...Object.fromEntries(Object.entries(watched).map(([k, value]) => [k, { value }])),
      ...hostPortGuards(LOOPBACK, ports, p),
    })),
    { parent },
  );
  warnOnChange(guard, { ...watched, ...ports }, storeConsequence);
  return guard;
}
