import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { LOOPBACK, dockerLabels, serviceContainer } from "./service-container";

export interface LocalToolsArgs {
  readonly namePrefix: string;
  readonly networkName: pulumi.Input<string>;
  readonly labels: Readonly<Record<string, string>>;
  readonly pgadmin: {
    readonly image: string;
    readonly hostPort: number;
    /** Must not be in a special-use domain (.local, .test, …): pgAdmin >= 6.9 refuses those at login. */
    readonly email: string;
    readonly password: pulumi.Input<string>;
    /**
     * Rotation epoch of `password`: pgAdmin reads its password file only when it creates its config database.
     */
    readonly passwordEpoch: number;
  };
  readonly redisCommander: {
    readonly image: string;
    readonly hostPort: number;
    readonly user: string;
    readonly password: pulumi.Input<string>;
  };
  /** Where the tools reach the data stores on the stack's network. */
  readonly postgres: {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly user: string;
  };
  readonly redis: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: pulumi.Input<string>;
  };
}

/** pgAdmin and Redis Commander, only when `devTools` is on. */
export class LocalTools extends pulumi.ComponentResource {
  readonly pgadminUrl: string;
  readonly redisCommanderUrl: string;

  constructor(name: string, args: LocalToolsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:local:Tools", name, {}, opts);
    const servers = JSON.stringify({
      Servers: {
        "1": {
          Name: args.namePrefix,
          Group: "Off the Grid",
          Host: args.postgres.host,
          Port: args.postgres.port,
          MaintenanceDB: args.postgres.database,
          Username: args.postgres.user,
          SSLMode: "prefer",
        },
      },
    });
    // pgAdmin applies PGADMIN_DEFAULT_PASSWORD_FILE only when it creates its config database, so each
    // password epoch gets a fresh volume; it holds UI state only (servers come from servers.json), so it is
    // not retained.
    const pgadminVolume = new docker.Volume(
      `${name}-pgadmin-data`,
      {
        name: `${args.namePrefix}-pgadmin-e${args.pgadmin.passwordEpoch}`,
        labels: dockerLabels(args.labels),
      },
      { parent: this, deleteBeforeReplace: true },
    );
    serviceContainer(
      `${name}-pgadmin`,
      {
        containerName: `${args.namePrefix}-pgadmin`,
        image: args.pgadmin.image,
        networkName: args.networkName,
        alias: "pgadmin",
        internalPort: 80,
        hostPort: args.pgadmin.hostPort,
        healthcheck: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:80/misc/ping"],
        envs: [
          `PGADMIN_DEFAULT_EMAIL=${args.pgadmin.email}`,
          "PGADMIN_DEFAULT_PASSWORD_FILE=/run/secrets/pgadmin-password",
          "PGADMIN_SERVER_JSON_FILE=/pgadmin4/servers.json",
          "PGADMIN_DISABLE_POSTFIX=true",
        ],
        files: [
          { path: "/run/secrets/pgadmin-password", content: args.pgadmin.password, owner: "5050" },
          // Registers the server; pgAdmin asks for the password on first connect (see the stack outputs).
          { path: "/pgadmin4/servers.json", content: servers, owner: "5050" },
        ],
        volume: { name: pgadminVolume.name, containerPath: "/var/lib/pgadmin" },
        labels: args.labels,
        stopGraceSeconds: 10,
      },
      this,
    );

    // Redis Commander reads connections and its HTTP login from a node-config file; environment variables
    // would put the password on its command line (the image turns REDIS_PASSWORD into --redis-password).
    const commanderConfig = pulumi
      .all([args.redis.password, args.redisCommander.password])
      .apply(([redisPassword, httpPassword]) =>
        JSON.stringify({
          connections: [
            {
              label: args.namePrefix,
              host: args.redis.host,
              port: args.redis.port,
              username: args.redis.user,
              password: redisPassword,
              dbIndex: 0,
            },
          ],
          server: { httpAuth: { username: args.redisCommander.user, password: httpPassword } },
        }),
      );
    serviceContainer(
      `${name}-redis-commander`,
      {
        containerName: `${args.namePrefix}-redis-commander`,
        image: args.redisCommander.image,
        networkName: args.networkName,
        alias: "redis-commander",
        internalPort: 8081,
        hostPort: args.redisCommander.hostPort,
        healthcheck: ["CMD", "/redis-commander/bin/healthcheck.js"],
        envs: ["NODE_ENV=production"],
        files: [
          { path: "/redis-commander/config/local-production.json", content: commanderConfig, owner: "1000" },
        ],
        labels: args.labels,
        stopGraceSeconds: 10,
      },
      this,
    );

    this.pgadminUrl = `http://${LOOPBACK}:${args.pgadmin.hostPort}`;
    this.redisCommanderUrl = `http://${LOOPBACK}:${args.redisCommander.hostPort}`;
    this.registerOutputs({ pgadminUrl: this.pgadminUrl, redisCommanderUrl: this.redisCommanderUrl });
  }
}
