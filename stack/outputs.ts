// Stack outputs for the app and for other stacks. Everything that embeds a password is a secret Output.
import * as pulumi from "@pulumi/pulumi";
import type { CredentialName } from "./credentials/credential-names";
import type { DataStoreEndpoints, PostgresEndpoint, RedisEndpoint } from "./endpoints";
import { ADMIN_ROLE, REDIS_USERS, RoleSpec, SCHEMA_ROLES, loginPair } from "./credentials/roles";

type Passwords = Readonly<Record<CredentialName, pulumi.Output<string>>>;

function postgresUrl(
  endpoint: PostgresEndpoint,
  login: string,
  password: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.interpolate`postgresql://${login}:${password}@${endpoint.host}:${endpoint.port}/${endpoint.database}?sslmode=${endpoint.sslmode}`,
  );
}

/**
 * Every top-level output is either wholly secret or holds no secret: the Automation API, pulumi/actions and
 * StackReference treat an output as secret only when the whole value is, so an object with secrets inside
 * would leak its URLs as plaintext step outputs and hide its plain fields from consumers.
 */
export function stackOutputs(
  endpoints: DataStoreEndpoints,
  passwords: Passwords,
  options: { readonly adminUrl: boolean; readonly rotation: Readonly<Record<CredentialName, number>> },
) {
  const pg = endpoints.postgres;
  const app = endpoints.postgresApp ?? pg;
  const roles: Record<string, RoleSpec> = {
    ...(options.adminUrl ? { admin: ADMIN_ROLE } : {}),
    ...SCHEMA_ROLES,
  };
  // The URLs carry each schema role's current member; the previous member keeps working until the next
  // rotation.
  const login = (role: RoleSpec) =>
    role === ADMIN_ROLE ? role.name : loginPair(role.name, options.rotation[role.credential]).current;
  const urls = Object.fromEntries(
    Object.entries(roles).map(([key, role]) => [
      key,
      postgresUrl(key === "app" ? app : pg, login(role), passwords[role.credential]),
    ]),
  );
  // Which CA verifies which URL (sslrootcert): an RDS Proxy presents an ACM certificate, not the RDS CA's.
  const caCerts = Object.fromEntries(
    [
      ...Object.keys(roles).map((key) => [key, (key === "app" ? app : pg).caCert] as const),
      ["readers", endpoints.postgresReaders[0]?.caCert] as const,
    ].filter(([, pem]) => pem !== undefined),
  );
  const redisUrl = (store: RedisEndpoint, user: string, password: pulumi.Input<string>) =>
    pulumi.interpolate`${store.tls ? "rediss" : "redis"}://${user}:${password}@${store.host}:${store.port}/0`;
  const cache = endpoints.redisCache;
  return {
    postgres: {
      host: pg.host,
      port: pg.port,
      database: pg.database,
      sslmode: pg.sslmode,
      /** The login each URL uses (the current member of each schema role). */
      roles: Object.fromEntries(Object.entries(roles).map(([key, role]) => [key, login(role)])),
      /** The group roles that hold the privileges (`current_user` in every member's session). */
      roleGroups: Object.fromEntries(Object.entries(SCHEMA_ROLES).map(([key, role]) => [key, role.name])),
      /** Where the app role connects (the RDS Proxy when there is one). */
      app: { host: app.host, port: app.port },
      readers: endpoints.postgresReaders.map((reader) => ({ host: reader.host, port: reader.port })),
      /** PEM per URL key of postgresUrls (public certificates, not secret). */
      caCerts,
    },
    postgresUrls: pulumi.secret(
      pulumi.output({
        ...urls,
        readers: endpoints.postgresReaders.map((reader) =>
          postgresUrl(reader, login(SCHEMA_ROLES.app), passwords.postgresApp),
        ),
      }),
    ),
    redis: {
      host: endpoints.redis.host,
      port: endpoints.redis.port,
      tls: endpoints.redis.tls,
      appUser: REDIS_USERS.app,
      adminUser: REDIS_USERS.admin,
      /** The cache store (allkeys-lru) beside the state store above; the same users. */
      cache: { host: cache.host, port: cache.port, tls: cache.tls },
    },
    // app/admin: the state store (noeviction); cacheApp/cacheAdmin: the cache store (allkeys-lru).
    redisUrls: pulumi.secret(
      pulumi.output({
        app: redisUrl(endpoints.redis, REDIS_USERS.app, passwords.redisApp),
        admin: redisUrl(endpoints.redis, REDIS_USERS.admin, passwords.redisAdmin),
        cacheApp: redisUrl(cache, REDIS_USERS.app, passwords.redisApp),
        cacheAdmin: redisUrl(cache, REDIS_USERS.admin, passwords.redisAdmin),
      }),
    ),
    tools: Object.fromEntries(
      Object.entries(endpoints.tools).map(([key, tool]) => [key, { url: tool.url, login: tool.login }]),
    ),
    toolPasswords: pulumi.secret(
      pulumi.output(
        Object.fromEntries(
          Object.entries(endpoints.tools).map(([key, tool]) => [key, passwords[tool.credential]]),
        ),
      ),
    ),
  };
}
