// Stack outputs for the app and for other stacks. Everything that embeds a password is a secret Output.
import * as pulumi from "@pulumi/pulumi";
import type { CredentialName } from "../config/types";
import type { DataStoreEndpoints, PostgresEndpoint } from "./endpoints";
import { ADMIN_ROLE, REDIS_USERS, RoleSpec, SCHEMA_ROLES } from "../lib/postgres/roles";

type Passwords = Readonly<Record<CredentialName, pulumi.Output<string>>>;

function postgresUrl(
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
  const urls = Object.fromEntries(
    Object.entries(roles).map(([key, role]) => [
      key,
      postgresUrl(key === "app" ? (endpoints.postgresApp ?? pg) : pg, role, passwords[role.credential]),
    ]),
  ) as Record<keyof typeof roles, pulumi.Output<string>>;
  const scheme = endpoints.redis.tls ? "rediss" : "redis";
  return {
    postgres: {
      host: pg.host,
      port: pg.port,
      database: pg.database,
      sslmode: pg.sslmode,
      roles: Object.fromEntries(Object.entries(roles).map(([key, role]) => [key, role.name])),
      urls,
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
