import * as pulumi from "@pulumi/pulumi";
import type { AwsStackConfig, CredentialName } from "../../config/types";
import type { DataStoreEndpoints } from "../endpoints";
import { ADMIN_ROLE, REDIS_USERS, SCHEMA_ROLES } from "../../lib/postgres/roles";
import { StackAlarms } from "./alarms";
import { databaseAlarms, redisMemberIds } from "../../lib/aws/alarm-specs";
import { Backups } from "./backup";
import { StackKey } from "./kms";
import { DataNetwork } from "./network";
import { RdsPostgres } from "./postgres";
import { PostgresProxy } from "./proxy";
import { ElastiCacheRedis } from "./redis";
import { StackSecrets } from "./secrets";
import { namePrefix, stackTags } from "../../lib/aws/tags";

type Passwords = Readonly<Record<CredentialName, pulumi.Output<string>>>;

export interface AwsDataStoresArgs {
  readonly config: AwsStackConfig;
  readonly passwords: Passwords;
  readonly previousPasswords: Readonly<Partial<Passwords>>;
  /** PEM bundle of the RDS CAs, for verify-full connections. */
  readonly caBundle: string;
}

/** staging / prod: RDS PostgreSQL with replicas, ElastiCache Redis, secrets, backups, alarms, optional proxy. */
export class AwsDataStores extends pulumi.ComponentResource {
  readonly endpoints: DataStoreEndpoints;
  readonly secretArns: Readonly<Record<string, pulumi.Output<string>>>;
  readonly backupVault: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: AwsDataStoresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:DataStores", name, {}, opts);
    const { config, passwords } = args;
    const tags = stackTags(config);
    const prefix = namePrefix(config);
    const parent = { parent: this };
    const zones = [...new Set(config.network.privateSubnets.map((s) => s.availabilityZone))];

    const key = new StackKey(
      `${name}-key`,
      { ...config.aws, existingKeyArn: config.aws.kmsKeyArn || undefined, alias: prefix, tags },
      parent,
    );
    const network = new DataNetwork(
      `${name}-network`,
      {
        vpcId: config.network.vpcId,
        subnets: config.network.privateSubnets,
        allowedCidrs: config.network.allowedCidrs,
        allowedSecurityGroupIds: config.network.allowedSecurityGroupIds,
        proxy: config.postgres.proxy,
        tags,
      },
      parent,
    );
    const postgres = new RdsPostgres(
      `${name}-postgres`,
      {
        identifier: prefix,
        settings: config.postgres,
        database: config.postgresDatabase,
        masterUser: ADMIN_ROLE.name,
        masterPassword: passwords.postgresAdmin,
        kmsKeyArn: key.arn,
        subnetGroupName: network.dbSubnetGroupName,
        securityGroupIds: [network.postgresSecurityGroupId],
        availabilityZones: zones,
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
        kmsKeyArn: key.arn,
        subnetGroupName: network.cacheSubnetGroupName,
        securityGroupIds: [network.redisSecurityGroupId],
        admin: {
          name: REDIS_USERS.admin,
          passwords: redisPasswords("redisAdmin", config.redis.retiredEpoch.admin),
        },
        app: { name: REDIS_USERS.app, passwords: redisPasswords("redisApp", config.redis.retiredEpoch.app) },
        logRetentionDays: config.logRetentionDays,
        tags,
      },
      parent,
    );

    const pgSecret = (role: { name: string; credential: CredentialName }) => ({
      engine: "postgres",
      host: postgres.primary.address,
      port: 5432,
      username: role.name,
      password: passwords[role.credential],
      dbname: config.postgresDatabase,
    });
    const redisSecret = (user: string, credential: CredentialName) => ({
      host: redis.endpoint,
      port: 6379,
      username: user,
      password: passwords[credential],
      tls: true,
    });
    const secrets = new StackSecrets(
      `${name}-secrets`,
      {
        prefix,
        kmsKeyArn: key.arn,
        tags,
        secrets: [
          { key: "postgres/admin", description: "RDS master (bootstrap only)", value: pgSecret(ADMIN_ROLE) },
          ...Object.entries(SCHEMA_ROLES).map(([k, role]) => ({
            key: `postgres/${k}`,
            description: role.purpose,
            value: pgSecret(role),
          })),
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
        ],
      },
      parent,
    );

    let proxyEndpoint: pulumi.Output<string> | undefined;
    if (config.postgres.proxy) {
      proxyEndpoint = new PostgresProxy(
        `${name}-proxy`,
        {
          name: `${prefix}-app`,
          primaryIdentifier: postgres.primary.identifier,
          secretArns: [secrets.arns["postgres/app"]],
          kmsKeyArn: key.arn,
          subnetIds: config.network.privateSubnets.map((s) => s.id),
          securityGroupIds: [network.proxySecurityGroupId!],
          tags,
        },
        parent,
      ).endpoint;
    }

    const backups = new Backups(
      `${name}-backup`,
      {
        prefix,
        kmsKeyArn: key.arn,
        resourceArns: [postgres.primary.arn],
        retentionDays: config.backup.retentionDays,
        copyRegion: config.backup.copyRegion,
        vaultLock: config.backup.vaultLock,
        accountId: config.aws.accountId,
        partition: config.aws.partition,
        tags,
      },
      parent,
    );
    const alarms = new StackAlarms(
      `${name}-alarms`,
      {
        kmsKeyArn: key.arn,
        email: config.alarmEmail,
        tags,
        alarms: databaseAlarms(config, {
          primary: prefix,
          replicas: postgres.replicas.map((_, i) => `${prefix}-replica-${i + 1}`),
          redisMembers: redisMemberIds(prefix, config.redis),
        }),
      },
      parent,
    );

    const endpoint = (host: pulumi.Input<string>) => ({
      host,
      port: 5432,
      database: config.postgresDatabase,
      sslmode: "verify-full" as const,
      caCert: args.caBundle,
    });
    const override = config.postgres.schemaEndpoint;
    this.endpoints = {
      postgres: endpoint(postgres.primary.address),
      postgresApp: proxyEndpoint ? endpoint(proxyEndpoint) : undefined,
      postgresReaders: postgres.replicas.map((r) => endpoint(r.address)),
      postgresReady: [postgres.primary],
      // Through a tunnel the certificate still names the RDS endpoint, so verify against that name.
      schemaTarget: override
        ? { host: override.host, port: override.port, tlsServerName: postgres.primary.address }
        : { host: postgres.primary.address, port: 5432 },
      iamRoles: config.postgres.iamAuth ? [SCHEMA_ROLES.readonly.name] : [],
      redis: { host: redis.endpoint, port: 6379, tls: true },
      tools: {},
    };
    this.secretArns = secrets.arns;
    this.backupVault = backups.vaultName;
    this.alarmTopicArn = alarms.topicArn;
    this.kmsKeyArn = key.arn;
    this.registerOutputs({
      secretArns: this.secretArns,
      backupVault: this.backupVault,
      alarmTopicArn: this.alarmTopicArn,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}
