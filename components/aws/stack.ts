import * as pulumi from "@pulumi/pulumi";
import type { AwsStackConfig, CredentialName } from "../../config/types";
import type { DataStoreEndpoints, PostgresEndpoint } from "../endpoints";
import {
  ADMIN_ROLE,
  IAM_LOGINS,
  REDIS_USERS,
  SCHEMA_ROLES,
  loginPair,
  memberName,
} from "../../lib/postgres/roles";
import { StackAlarms, cacheEventsTopic } from "./alarms";
import { databaseAlarms, redisMemberIds } from "../../lib/aws/alarm-specs";
import { amazonRootCertificateAuthorities } from "../../lib/aws/trust-stores";
import { Backups } from "./backup";
import { IamDatabaseAuth } from "./iam-auth";
import { StackKey } from "./kms";
import { DataNetwork } from "./network";
import { RdsPostgres } from "./postgres";
import { PostgresProxy } from "./proxy";
import { ElastiCacheRedis } from "./redis";
import { StackSecrets, StoredSecret } from "./secrets";
import { Tags, namePrefix, stackTags } from "../../lib/aws/tags";
import { ReplacementGuard } from "./replacement-guard";
import { replicaZones } from "../../lib/aws/replica-placement";

type Passwords = Readonly<Record<CredentialName, pulumi.Output<string>>>;

export interface AwsDataStoresArgs {
  readonly config: AwsStackConfig;
  readonly passwords: Passwords;
  readonly previousPasswords: Readonly<Partial<Passwords>>;
  /** PEM bundle of the RDS CAs, for verify-full connections. */
  readonly caBundle: string;
}

/** What every seam below needs: the config, names, tags, the data key and this component as parent. */
interface Ctx {
  readonly name: string;
  readonly args: AwsDataStoresArgs;
  readonly config: AwsStackConfig;
  readonly prefix: string;
  readonly tags: Tags;
  readonly keyArn: pulumi.Output<string>;
  readonly parent: { parent: pulumi.Resource };
}

/** staging / prod: RDS PostgreSQL with replicas, ElastiCache Redis, secrets, backups, alarms, optional proxy. */
export class AwsDataStores extends pulumi.ComponentResource {
  readonly endpoints: DataStoreEndpoints;
  readonly secretArns: Readonly<Record<string, pulumi.Output<string>>>;
  readonly backupVault: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  /** With postgresIamAuth: the policy to attach to the app's role, and the user name its tokens log in as. */
  readonly iamAuth?: { readonly policyArn: pulumi.Output<string>; readonly dbUser: string };

  constructor(name: string, args: AwsDataStoresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:DataStores", name, {}, opts);
    const { config } = args;
    const prefix = namePrefix(config);
    const tags = stackTags(config);
    const parent = { parent: this as pulumi.Resource };
    const key = new StackKey(
      `${name}-key`,
      {
        ...config.aws,
        existingKeyArn: config.aws.kmsKeyArn || undefined,
        breakGlassRoleArn: config.aws.breakGlassRoleArn,
        alias: prefix,
        tags,
      },
      parent,
    );
    new ReplacementGuard(
      `${name}-replacement-guard`,
      {
        guarded: {
          postgresDatabase: { value: config.postgresDatabase, replaces: "the RDS primary (dbName)" },
          kmsKeyArn: {
            value: config.aws.kmsKeyArn,
            replaces: "the RDS primary and the Redis replication group (kmsKeyId)",
          },
          // availabilityZone is ForceNew on a replica: a subnet change that moves one must be refused by name.
          privateSubnets: {
            value: replicaZones(
              config.network.privateSubnets.map((s) => s.availabilityZone),
              config.postgres.replicaCount,
            )
              .map((zone, i) => `replica-${i + 1}=${zone}`)
              .join(","),
            replaces: "RDS read replicas (availabilityZone)",
          },
        },
      },
      parent,
    );
    const ctx: Ctx = { name, args, config, prefix, tags, keyArn: key.arn, parent };
    const network = new DataNetwork(
      `${name}-network`,
      { ...config.network, subnets: config.network.privateSubnets, proxy: config.postgres.proxy, tags },
      parent,
    );
    const stores = storage(ctx, network);
    const access = secretsAndProxy(ctx, stores, network);
    const protection = backupsAndAlarms(ctx, stores);
    const iamAuth = config.postgres.iamAuth ? iamDatabaseAuth(ctx, stores) : undefined;

    this.endpoints = endpoints(ctx, stores, access.proxyEndpoint);
    this.secretArns = access.secretArns;
    this.backupVault = protection.backupVault;
    this.alarmTopicArn = protection.alarmTopicArn;
    this.kmsKeyArn = key.arn;
    this.iamAuth = iamAuth && { policyArn: iamAuth.policyArn, dbUser: iamAuth.dbUser };
    this.registerOutputs({
      secretArns: this.secretArns,
      backupVault: this.backupVault,
      alarmTopicArn: this.alarmTopicArn,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}

interface Stores {
  readonly postgres: RdsPostgres;
  readonly redis: ElastiCacheRedis;
}

function storage({ name, args, config, prefix, tags, keyArn, parent }: Ctx, network: DataNetwork): Stores {
  const { passwords } = args;
  const postgres = new RdsPostgres(
    `${name}-postgres`,
    {
      identifier: prefix,
      settings: config.postgres,
      database: config.postgresDatabase,
      masterUser: ADMIN_ROLE.name,
      masterPassword: passwords.postgresAdmin,
      // passwordWoVersion must be set (0 reads as unset); it moves with the rotation epoch.
      masterPasswordVersion: config.rotation.postgresAdmin + 1,
      kmsKeyArn: keyArn,
      subnetGroupName: network.dbSubnetGroupName,
      securityGroupIds: [network.postgresSecurityGroupId],
      availabilityZones: [...new Set(config.network.privateSubnets.map((s) => s.availabilityZone))],
      logRetentionDays: config.logRetentionDays,
      partition: config.aws.partition,
      tags,
    },
    parent,
  );
  // A rotated Redis password keeps the previous one valid until its epoch is marked retired.
  const redisPasswords = (credential: "redisAdmin" | "redisApp", retired: number) => ({
    current: passwords[credential],
    previous: retired < config.rotation[credential] ? args.previousPasswords[credential] : undefined,
  });
  const redis = new ElastiCacheRedis(
    `${name}-redis`,
    {
      id: prefix,
      settings: config.redis,
      kmsKeyArn: keyArn,
      subnetGroupName: network.cacheSubnetGroupName,
      securityGroupIds: [network.redisSecurityGroupId],
      admin: {
        name: REDIS_USERS.admin,
        passwords: redisPasswords("redisAdmin", config.redis.retiredEpoch.admin),
      },
      app: {
        name: REDIS_USERS.app,
        passwords: redisPasswords("redisApp", config.redis.retiredEpoch.app),
        access: config.redisAccess,
      },
      notificationTopicArn: cacheEventsTopic(`${name}-cache-events`, config.alarmEmail, tags, parent.parent)
        .arn,
      logRetentionDays: config.logRetentionDays,
      tags,
    },
    parent,
  );
  return { postgres, redis };
}

function secretsAndProxy(
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
  // rotation (lib/postgres/roles.ts).
  const current = (role: (typeof SCHEMA_ROLES)[keyof typeof SCHEMA_ROLES]) =>
    pgSecret(loginPair(role.name, config.rotation[role.credential]).current, args.passwords[role.credential]);
  // One secret per app member, for the RDS Proxy: a rotation rewrites only the new current member's secret, so
  // the proxy keeps authenticating the previous member with the secret it already has.
  const appMembers = (["a", "b"] as const).map((slot) => {
    const name = memberName(SCHEMA_ROLES.app.name, slot);
    const isCurrent = loginPair(SCHEMA_ROLES.app.name, config.rotation.postgresApp).current === name;
    return {
      key: `postgres/app-${slot}`,
      description: `${SCHEMA_ROLES.app.purpose} (login member ${name}, for the RDS Proxy)`,
      value: pgSecret(name, (isCurrent ? args.passwords : args.previousPasswords).postgresApp!),
    };
  });
  const redisSecret = (user: string, credential: CredentialName) => ({
    host: stores.redis.endpoint,
    port: 6379,
    username: user,
    password: args.passwords[credential],
    tls: true,
  });
  const secrets: StoredSecret[] = [
    {
      key: "postgres/admin",
      description: "RDS master (bootstrap only)",
      value: pgSecret(ADMIN_ROLE.name, args.passwords.postgresAdmin),
    },
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
          name: `${prefix}-app`,
          primaryIdentifier: afterReplicas(stores.postgres, stores.postgres.primary.identifier),
          secretArns: appMembers.map((m) => stored.arns[m.key]),
          kmsKeyArn: keyArn,
          subnetIds: config.network.privateSubnets.map((s) => s.id),
          securityGroupIds: [network.proxySecurityGroupId!],
          tags,
        },
        parent,
      ).endpoint
    : undefined;
  return { secretArns: stored.arns, proxyEndpoint };
}

function backupsAndAlarms({ name, config, prefix, tags, keyArn, parent }: Ctx, stores: Stores) {
  const backups = new Backups(
    `${name}-backup`,
    {
      prefix,
      kmsKeyArn: keyArn,
      primaryArn: afterReplicas(stores.postgres, stores.postgres.primary.arn),
      pitrRetentionDays: config.postgres.backupRetentionDays,
      retentionDays: config.backup.retentionDays,
      copyRegion: config.backup.copyRegion,
      startTime: config.backup.startTime,
      vaultLock: config.backup.vaultLock,
      complianceLock: config.backup.complianceLock,
      maxRetentionDays: config.backup.maxRetentionDays,
      accountId: config.aws.accountId,
      partition: config.aws.partition,
      breakGlassRoleArn: config.aws.breakGlassRoleArn,
      tags,
    },
    parent,
  );
  const replicas = stores.postgres.replicas.map((_, i) => `${prefix}-replica-${i + 1}`);
  // Node ids as ElastiCache reports them; the computed names only stand in where the output is not known.
  const computed = redisMemberIds(prefix, config.redis);
  const members = computed.map((fallback, i) => ({
    key: `redis-${i + 1}`,
    id: stores.redis.memberClusters.apply((m) =>
      m?.length === computed.length ? [...m].sort()[i] : fallback,
    ),
  }));
  const alarms = new StackAlarms(
    `${name}-alarms`,
    {
      alias: prefix,
      keyPolicy: { ...config.aws, breakGlassRoleArn: config.aws.breakGlassRoleArn },
      email: config.alarmEmail,
      tags,
      alarms: databaseAlarms(config, {
        primary: prefix,
        replicas,
        redisMembers: members,
        proxyName: config.postgres.proxy ? `${prefix}-app` : undefined,
      }),
      // Outputs, not names: the subscription waits for the instances (CreateEventSubscription: SourceNotFound).
      rdsInstanceIds: [stores.postgres.primary, ...stores.postgres.replicas].map((i) => i.identifier),
    },
    parent,
  );
  return { backupVault: backups.vaultName, alarmTopicArn: alarms.topicArn };
}

function iamDatabaseAuth({ name, config, prefix, tags, parent }: Ctx, stores: Stores): IamDatabaseAuth {
  const here = (i: { resourceId: pulumi.Output<string> }) => ({
    region: config.aws.region,
    resourceId: i.resourceId,
  });
  return new IamDatabaseAuth(
    `${name}-iam-auth`,
    {
      prefix,
      partition: config.aws.partition,
      accountId: config.aws.accountId,
      instances: [stores.postgres.primary, ...stores.postgres.replicas].map(here),
      dbUser: IAM_LOGINS[0].name,
      tags,
    },
    parent,
  );
}

/**
 * A primary attribute that resolves only once every replica exists: attaching the proxy target or starting
 * automated-backups replication while RDS creates a replica fails with InvalidDBInstanceState.
 */
function afterReplicas(postgres: RdsPostgres, value: pulumi.Output<string>): pulumi.Output<string> {
  return pulumi.all([value, ...postgres.replicas.map((r) => r.identifier)]).apply(([v]) => v);
}

function endpoints({ args, config }: Ctx, stores: Stores, proxy?: pulumi.Output<string>): DataStoreEndpoints {
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
    redis: { host: stores.redis.endpoint, port: 6379, tls: true },
    tools: {},
  };
}
