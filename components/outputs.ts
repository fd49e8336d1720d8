// Stack outputs for the app and for other stacks. Everything that embeds a password is a secret Output.
import * as pulumi from "@pulumi/pulumi";
import type { CredentialName } from "../config/types";
import type { DataStoreEndpoints, PostgresEndpoint } from "./endpoints";
import { ADMIN_ROLE, REDIS_USERS, RoleSpec, SCHEMA_ROLES } from "../lib/postgres/roles";

type Passwords = Readonly<Record<CredentialName, pulumi.Output<string>>>;

export function postgresUrl(
  endpoint: PostgresEndpoint,
  role: RoleSpec,
  password: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.interpolate`postgresql://${role.name}:${password}@${endpoint.host}:${endpoint.port}/${endpoint.database}?sslmode=${endpoint.sslmode}`,
  );
}

export function stackOutputs(endpoints: DataStoreEndpoints, passwords: Passwords) {
  const pg = endpoints.postgres;
  const roles = { admin: ADMIN_ROLE, ...SCHEMA_ROLES };
  const exported = Object.entries(roles).filter(
    ([key]) => key !== "admin" || endpoints.exportAdminUrl !== false,
  );
  const endpointOf = (key: string) => (key === "app" ? (endpoints.postgresApp ?? pg) : pg);
  const urls = Object.fromEntries(
    exported.map(([key, role]) => [key, postgresUrl(endpointOf(key), role, passwords[role.credential])]),
  ) as Record<keyof typeof roles, pulumi.Output<string>>;
  // Which CA verifies which URL (sslrootcert): an RDS Proxy presents an ACM certificate, not the RDS CA's.
  const caCerts = Object.fromEntries(
    [
      ...exported.map(([key]) => [key, endpointOf(key).caCert] as const),
      ["readers", endpoints.postgresReaders[0]?.caCert] as const,
    ].filter(([, pem]) => pem !== undefined),
  );
  const scheme = endpoints.redis.tls ? "rediss" : "redis";
  return {
    postgres: {
      host: pg.host,
      port: pg.port,
      database: pg.database,
      sslmode: pg.sslmode,
      roles: Object.fromEntries(Object.entries(roles).map(([key, role]) => [key, role.name])),
      urls,
      caCerts,
      readerUrls: endpoints.postgresReaders.map((reader) =>
        postgresUrl(reader, SCHEMA_ROLES.app, passwords.postgresApp),
      ),
    },
    redis: {
      host: endpoints.redis.host,
      port: endpoints.redis.port,
      tls: endpoints.redis.tls,
      appUser: REDIS_USERS.app,
      url: pulumi.secret(
        pulumi.interpolate`${scheme}://${REDIS_USERS.app}:${passwords.redisApp}@${endpoints.redis.host}:${endpoints.redis.port}/0`,
      ),
      adminUrl: pulumi.secret(
        pulumi.interpolate`${scheme}://${REDIS_USERS.admin}:${passwords.redisAdmin}@${endpoints.redis.host}:${endpoints.redis.port}/0`,
      ),
    },
    tools: Object.fromEntries(
      Object.entries(endpoints.tools).map(([key, tool]) => [
        key,
        { url: tool.url, login: tool.login, password: pulumi.secret(passwords[tool.credential]) },
      ]),
    ),
  };
}
