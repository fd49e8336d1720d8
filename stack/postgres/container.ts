import * as pulumi from "@pulumi/pulumi";
import { DEV_SERVER_SETTINGS, serverArgs } from "./settings";
import { REKEY_ENTRYPOINT, VERIFIER_FILE, renderRekeyEntrypoint, stableVerifier } from "./superuser-rekey";
import { dataVolume, serviceContainer } from "../local/service-container";

export interface LocalPostgresArgs {
  /** Prefix of Docker object names, e.g. `offthegrid-dev`; includes the stack so stacks can share a host. */
  readonly namePrefix: string;
  readonly networkName: pulumi.Input<string>;
  /** Exact PostgreSQL 17 image. */
  readonly image: string;
  readonly hostPort: number;
  readonly database: string;
  readonly adminUser: string;
  /** Read by the image only at first boot (empty volume); later rotations go through the schema provider. */
  readonly adminPassword: pulumi.Input<string>;
  readonly labels: Readonly<Record<string, string>>;
}

const POSTGRES_ALIAS = "postgres";
const PASSWORD_FILE = "/run/secrets/postgres-password";

export class LocalPostgres extends pulumi.ComponentResource {
  readonly containerName: pulumi.Output<string>;
  readonly volumeName: pulumi.Output<string>;
  readonly hostPort: number;
  readonly internalHost = POSTGRES_ALIAS;
  readonly internalPort = 5432;

  constructor(name: string, args: LocalPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:local:Postgres", name, {}, opts);
    const volume = dataVolume(`${name}-data`, `${args.namePrefix}-pgdata`, args.labels, this);
    const { container } = serviceContainer(
      name,
      {
        containerName: `${args.namePrefix}-postgres`,
        image: args.image,
        networkName: args.networkName,
        alias: POSTGRES_ALIAS,
        internalPort: this.internalPort,
        hostPort: args.hostPort,
        // pg_isready proves the server accepts connections, not that any password works.
        healthcheck: [
          "CMD",
          "pg_isready",
          "-h",
          "127.0.0.1",
          "-p",
          "5432",
          "-U",
          args.adminUser,
          "-d",
          args.database,
        ],
        envs: [
          `POSTGRES_USER=${args.adminUser}`,
          `POSTGRES_DB=${args.database}`,
          `POSTGRES_PASSWORD_FILE=${PASSWORD_FILE}`,
          `POSTGRES_SUPERUSER_VERIFIER_FILE=${VERIFIER_FILE}`,
        ],
        // The wrapper re-keys the superuser on a retained volume, then runs the image's own entrypoint.
        entrypoint: [REKEY_ENTRYPOINT],
        command: serverArgs(DEV_SERVER_SETTINGS),
        files: [
          { path: PASSWORD_FILE, content: args.adminPassword, owner: "999" },
          {
            path: VERIFIER_FILE,
            content: pulumi.output(args.adminPassword).apply(stableVerifier),
            owner: "999",
          },
          { path: REKEY_ENTRYPOINT, content: renderRekeyEntrypoint(), owner: "0", permissions: "0555" },
        ],
        volume: { name: volume.name, containerPath: "/var/lib/postgresql/data" },
        labels: args.labels,
        // A fast shutdown (SIGINT) ends with a checkpoint: no crash recovery on the next start.
        stopGraceSeconds: 60,
        liveness: "postgres",
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
