// The access seam of AwsDataStores: the Secrets Manager secrets clients read, the optional RDS Proxy, and the
// endpoints the schema step and the stack outputs use.
import * as pulumi from "@pulumi/pulumi";
import type { CredentialName } from "../config/types";
import type { DataStoreEndpoints, PostgresEndpoint } from "../endpoints";
import {
  ADMIN_ROLE,
  IAM_LOGINS,
  REDIS_USERS,
  SCHEMA_ROLES,
  loginPair,
  memberName,
} from "../credentials/roles";
import { amazonRootCertificateAuthorities } from "../postgres/trust-stores";
import { readManagedMasterPassword } from "../credentials/master-secret";
import type { DataNetwork } from "../network/data-network";
import { PostgresProxy } from "../postgres/proxy";
import { StackSecrets, StoredSecret } from "../credentials/secrets";
import { proxyName } from "./identifiers";
import { Ctx, Stores, afterReplicas } from "./stack-context";

export function secretsAndProxy(
  { name, args, config, prefix, tags, keyArn, parent }: Ctx,
  stores: Stores,
  network: DataNetwork,
) {
  const pgSecret = (username: string, password: pulumi.Input<string>) => ({
    engine: "postgres",
    host: stores.postgres.primary.address,
    port: 5432,
    username,
    password,
    dbname: config.postgresDatabase,
  });
  // Schema roles: the secret carries the current member; the previous one keeps its password until the next
  // rotation (stack/credentials/roles.ts).
  const current = (role: (typeof SCHEMA_ROLES)[keyof typeof SCHEMA_ROLES]) =>
    pgSecret(loginPair(role.name, config.rotation[role.credential]).current, args.passwords[role.credential]);
  // One secret per app member, for the RDS Proxy: a rotation rewrites only the new current member's secret,
  // so the proxy keeps authenticating the previous member with the secret it already has.
  const appMembers = (["a", "b"] as const).map((slot) => {
    const name = memberName(SCHEMA_ROLES.app.name, slot);
    const isCurrent = loginPair(SCHEMA_ROLES.app.name, config.rotation.postgresApp).current === name;
    return {
      key: `postgres/app-${slot}`,
      description: `${SCHEMA_ROLES.app.purpose} (login member ${name}, for the RDS Proxy)`,
      value: pgSecret(name, (isCurrent ? args.passwords : args.previousPasswords).postgresApp!),
    };
  });
  // One secret per user for both stores (the same user and password on each): the cache store's host beside
  // the state store's.
  const redisSecret = (user: string, credential: CredentialName) => ({
    host: stores.redis.endpoint,
    cacheHost: stores.redisCache.endpoint,
    port: 6379,
    username: user,
    password: args.passwords[credential],
    tls: true,
  });
  // With an RDS-managed master password, RDS's own secret is the admin secret: ours would hold a password RDS
  // never set.
  const managed = stores.postgres.masterSecretArn;
  const secrets: StoredSecret[] = [
    ...(managed
      ? []
      : [
          {
            key: "postgres/admin",
            description: "RDS master (bootstrap only)",
            value: pgSecret(ADMIN_ROLE.name, args.passwords.postgresAdmin),
          },
        ]),
    ...Object.entries(SCHEMA_ROLES).map(([k, role]) => ({
      key: `postgres/${k}`,
      description: `${role.purpose} (current login member)`,
      value: current(role),
    })),
    ...appMembers,
    {
      key: "redis/admin",
      description: "Redis admin user",
      value: redisSecret(REDIS_USERS.admin, "redisAdmin"),
    },
    {
      key: "redis/app",
      description: "Redis application user",
      value: redisSecret(REDIS_USERS.app, "redisApp"),
    },
  ];
  const stored = new StackSecrets(`${name}-secrets`, { prefix, kmsKeyArn: keyArn, tags, secrets }, parent);
  const proxyEndpoint = config.postgres.proxy
    ? new PostgresProxy(
        `${name}-proxy`,
        {
          name: proxyName(prefix),
          primaryIdentifier: afterReplicas(stores, stores.postgres.primary.identifier),
          secretArns: appMembers.map((m) => stored.arns[m.key]),
          kmsKeyArn: keyArn,
          subnetIds: config.network.privateSubnets.map((s) => s.id),
          securityGroupIds: [network.proxySecurityGroupId!],
          tags,
        },
        parent,
      ).endpoint
    : undefined;
  return {
    secretArns: managed ? { ...stored.arns, "postgres/admin": managed } : stored.arns,
    proxyEndpoint,
  };
}

export function endpoints(
  { args, config, parent }: Ctx,
  stores: Stores,
  proxy?: pulumi.Output<string>,
): DataStoreEndpoints {
  const endpoint = (host: pulumi.Input<string>, caCert: string): PostgresEndpoint => ({
    host,
    port: 5432,
    database: config.postgresDatabase,
    sslmode: "verify-full",
    caCert,
  });
  const primary = stores.postgres.primary;
  const override = config.postgres.schemaEndpoint;
  return {
    postgres: endpoint(primary.address, args.caBundle),
    // RDS Proxy presents an ACM certificate (Amazon Trust Services roots), not one signed by the RDS CA.
    postgresApp: proxy ? endpoint(proxy, amazonRootCertificateAuthorities()) : undefined,
    postgresReaders: stores.postgres.replicas.map((r) => endpoint(r.address, args.caBundle)),
    postgresReady: [primary],
    // Through a tunnel the certificate still names the RDS endpoint, so verify against that name.
    schemaTarget: override
      ? { host: override.host, port: override.port, tlsServerName: primary.address }
      : { host: primary.address, port: 5432 },
    iamLogins: config.postgres.iamAuth ? IAM_LOGINS : [],
    // The schema step logs in as the master: with an RDS-managed password, with the one in RDS's secret.
    adminPassword: stores.postgres.masterSecretArn
      ? readManagedMasterPassword(stores.postgres.masterSecretArn, parent.parent)
      : undefined,
    redis: { host: stores.redis.endpoint, port: 6379, tls: true },
    redisCache: { host: stores.redisCache.endpoint, port: 6379, tls: true },
    tools: {},
  };
}
