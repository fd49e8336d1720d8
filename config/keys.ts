// The one table of config keys under `offthegrid-database:`. Pulumi.yaml's `config:` block declares the same keys
// with the same types and defaults; test/unit/pulumi-yaml.test.ts keeps the two from drifting.
import {
  InvalidValue,
  KeySpec,
  boolean,
  epoch,
  hostPort,
  integer,
  matching,
  oneOf,
  pinnedImage,
} from "./spec";
import { awsKeys } from "./aws-keys";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

// pgAdmin >= 6.9 validates its login with email-validator, which refuses these special-use domains.
const SPECIAL_USE_DOMAINS = ["arpa", "invalid", "local", "localhost", "onion", "test"];

function email(raw: string): string {
  const allowed =
    "an email address such as admin@offthegrid.example.com whose domain is not special-use " +
    `(${SPECIAL_USE_DOMAINS.map((d) => "." + d).join(", ")} are refused by pgAdmin)`;
  const match = /^[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+([A-Za-z]{2,}))$/.exec(raw);
  if (!match || SPECIAL_USE_DOMAINS.includes(match[2].toLowerCase())) throw new InvalidValue(allowed);
  return raw;
}

const identifier = matching(
  /^[a-z_][a-z0-9_]{0,62}$/,
  "a lower-case PostgreSQL identifier: a letter or _, then letters, digits or _, at most 63 characters",
);

function key<T>(spec: KeySpec<T>): KeySpec<T> {
  return spec;
}

const rotation = (what: string) =>
  key({
    type: "integer",
    scope: "all",
    default: 0,
    parse: epoch,
    description: `Rotation epoch of ${what}; increase it by one to generate a new password on the next \`pulumi up\`.`,
  });

export const keys = {
  environment: key({
    type: "string",
    scope: "all",
    parse: oneOf(ENVIRONMENTS),
    description: "dev runs Docker containers on this host; staging and prod run RDS and ElastiCache on AWS.",
  }),
  owner: key({
    type: "string",
    scope: "all",
    default: "platform",
    parse: matching(/^[A-Za-z0-9 ._:/=+@-]{1,128}$/, "1 to 128 characters usable in an AWS tag value"),
    description: "Team that owns the stack; written to the Owner tag (AWS) and container labels (Docker).",
  }),
  postgresDatabase: key({
    type: "string",
    scope: "all",
    default: "offthegrid",
    parse: identifier,
    description: "Name of the application database.",
  }),
  redisMaxmemoryMb: key({
    type: "integer",
    scope: "docker",
    default: 256,
    parse: integer(16, 65536),
    description: "Redis maxmemory in MiB (eviction policy allkeys-lru).",
  }),
  postgresImage: key({
    type: "string",
    scope: "docker",
    default: "postgres:17.6-bookworm",
    parse: pinnedImage(/^(docker\.io\/)?(library\/)?postgres$/, 17, "postgres:17.6-bookworm"),
    description: "PostgreSQL 17 image, exact version.",
  }),
  redisImage: key({
    type: "string",
    scope: "docker",
    default: "redis:7.4.5-bookworm",
    parse: pinnedImage(/^(docker\.io\/)?(library\/)?redis$/, 7, "redis:7.4.5-bookworm"),
    description: "Redis 7 image, exact version.",
  }),
  postgresHostPort: key({
    type: "integer",
    scope: "docker",
    default: 5432,
    parse: hostPort,
    description: "Host port (bound to 127.0.0.1) for PostgreSQL; give each dev stack on a host its own.",
  }),
  redisHostPort: key({
    type: "integer",
    scope: "docker",
    default: 6379,
    parse: hostPort,
    description: "Host port (bound to 127.0.0.1) for Redis.",
  }),
  devTools: key({
    type: "boolean",
    scope: "docker",
    default: false,
    parse: boolean,
    description: "Also run pgAdmin and Redis Commander.",
  }),
  pgadminImage: key({
    type: "string",
    scope: "docker",
    default: "dpage/pgadmin4:9.8",
    parse: pinnedImage(/^(docker\.io\/)?dpage\/pgadmin4$/, undefined, "dpage/pgadmin4:9.8"),
    description: "pgAdmin image, exact version.",
  }),
  redisCommanderImage: key({
    type: "string",
    scope: "docker",
    default: "ghcr.io/joeferner/redis-commander:0.9.0",
    parse: pinnedImage(
      /^(ghcr\.io\/joeferner\/redis-commander|(docker\.io\/)?rediscommander\/redis-commander)$/,
      undefined,
      "ghcr.io/joeferner/redis-commander:0.9.0",
    ),
    description: "Redis Commander image, exact version.",
  }),
  pgadminHostPort: key({
    type: "integer",
    scope: "docker",
    default: 8080,
    parse: hostPort,
    description: "Host port (127.0.0.1) for pgAdmin when devTools is on.",
  }),
  redisCommanderHostPort: key({
    type: "integer",
    scope: "docker",
    default: 8081,
    parse: hostPort,
    description: "Host port (127.0.0.1) for Redis Commander when devTools is on.",
  }),
  pgadminEmail: key({
    type: "string",
    scope: "docker",
    default: "admin@offthegrid.example.com",
    parse: email,
    description: "pgAdmin login email; must be a valid address outside special-use domains such as .local.",
  }),
  postgresAdminPasswordEpoch: rotation("the PostgreSQL superuser / RDS master password"),
  postgresOwnerPasswordEpoch: rotation("the schema owner role's password"),
  postgresAppPasswordEpoch: rotation("the application role's password"),
  postgresReadonlyPasswordEpoch: rotation("the read-only role's password"),
  redisAdminPasswordEpoch: rotation("the Redis admin user's password"),
  redisAppPasswordEpoch: rotation("the Redis application user's password"),
  devToolsPasswordEpoch: rotation("the pgAdmin and Redis Commander logins"),
  ...awsKeys,
} satisfies Record<string, KeySpec<unknown>>;

export type KeyName = keyof typeof keys;
export type RawSettings = { [K in KeyName]: ReturnType<(typeof keys)[K]["parse"]> | undefined };
