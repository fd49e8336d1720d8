// Pure config validation: raw Pulumi config map in, typed StackConfig out, or one ConfigError that lists every
// problem (key, bad value, what is allowed). Runs before any resource is registered.
import { ENVIRONMENTS, Environment, KeyName, RawSettings, keys } from "./keys";
import { InvalidValue, KeyScope, KeySpec, isUnsetPlaceholder } from "./spec";
import { AwsStackConfig, DockerStackConfig, Platform, StackConfig } from "./types";
import { awsOperationRules } from "./aws-validate";

export class ConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration for stack "${stack}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function platformOf(environment: Environment): Platform {
  return environment === "dev" ? "docker" : "aws";
}

const scopeLabel: Record<Exclude<KeyScope, "all">, string> = {
  docker: "Docker stacks (environment dev)",
  aws: "AWS stacks (environment staging or prod)",
};

/** `raw` is the whole config map as Pulumi hands it over: `namespace:key` → string. */
export function validateConfig(
  raw: Readonly<Record<string, string>>,
  project: string,
  stack: string,
): StackConfig {
  const problems: string[] = [];
  const prefix = `${project}:`;
  const fq = (k: string) => `${prefix}${k}`;
  const names = Object.keys(keys) as KeyName[];

  for (const fullKey of Object.keys(raw)) {
    if (!fullKey.startsWith(prefix)) continue;
    const name = fullKey.slice(prefix.length);
    if (!(names as string[]).includes(name)) {
      problems.push(`Unknown config key ${fullKey}. Allowed keys are: ${names.join(", ")}.`);
    }
  }

  let platform: Platform | undefined;
  const envRaw = raw[fq("environment")];
  if (envRaw !== undefined && (ENVIRONMENTS as readonly string[]).includes(envRaw)) {
    platform = platformOf(envRaw as Environment);
  }

  const settings: Partial<Record<KeyName, unknown>> = {};
  for (const name of names) {
    const spec: KeySpec<unknown> = keys[name];
    const given = raw[fq(name)];
    const value = isUnsetPlaceholder(spec, given) ? undefined : given;
    const applies = spec.scope === "all" || spec.scope === platform;
    if (value !== undefined) {
      if (!applies && platform !== undefined) {
        // The CLI merges Pulumi.yaml defaults into every stack's config, so a default here is not a mistake.
        if (isDefault(spec.default, value)) continue;
        problems.push(
          `Config key ${fq(name)} is set to ${JSON.stringify(value)} but applies only to ` +
            `${scopeLabel[spec.scope as Exclude<KeyScope, "all">]}; remove it from this stack's file.`,
        );
        continue;
      }
      try {
        settings[name] = spec.parse(value);
      } catch (err) {
        if (!(err instanceof InvalidValue)) throw err;
        problems.push(
          `Invalid value for ${fq(name)}: ${JSON.stringify(value)}. Allowed values are: ${err.allowed}.`,
        );
      }
    } else if (spec.default !== undefined) {
      settings[name] = spec.default;
    } else if (applies) {
      const allowed = name === "environment" ? ` (one of ${ENVIRONMENTS.join(", ")})` : "";
      problems.push(
        `Missing required config key ${fq(name)}${allowed}` +
          (platform ? ` for this ${platform} stack` : "") +
          `: ${spec.description} Set it with \`pulumi config set ${name} <value>\`.`,
      );
    }
  }

  if (problems.length === 0 && platform !== undefined) {
    const s = settings as RawSettings;
    problems.push(...(platform === "docker" ? dockerRules(s, fq) : awsRules(s, fq, raw)));
  }
  if (problems.length > 0 || platform === undefined) throw new ConfigError(stack, problems);
  return build(settings as RawSettings, project, stack, platform, raw);
}

function isDefault(defaultValue: unknown, raw: string): boolean {
  if (defaultValue === undefined) return false;
  const canonical = typeof defaultValue === "string" ? defaultValue : JSON.stringify(defaultValue);
  try {
    return canonical === raw || JSON.stringify(JSON.parse(raw)) === canonical;
  } catch {
    return false;
  }
}

function dockerRules(s: RawSettings, fq: (k: string) => string): string[] {
  const ports: [KeyName, number | undefined][] = [
    ["postgresHostPort", s.postgresHostPort],
    ["redisHostPort", s.redisHostPort],
  ];
  if (s.devTools) {
    ports.push(["pgadminHostPort", s.pgadminHostPort], ["redisCommanderHostPort", s.redisCommanderHostPort]);
  }
  const problems: string[] = [];
  ports.forEach(([name, port], i) => {
    const clash = ports.slice(0, i).find(([, other]) => other === port);
    if (clash) {
      problems.push(
        `Invalid value for ${fq(name)}: ${port}. Allowed values are: a host port not already used by ` +
          `${fq(clash[0])} (each service needs its own port).`,
      );
    }
  });
  return problems;
}

function awsRules(
  s: RawSettings,
  fq: (k: string) => string,
  raw: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = [];
  const invalid = (key: string, value: unknown, allowed: string) =>
    problems.push(`Invalid value for ${fq(key)}: ${JSON.stringify(value)}. Allowed values are: ${allowed}.`);
  const subnets = s.privateSubnets ?? [];
  const ids = subnets.map((entry) => entry.split("=")[0]);
  const zones = new Set(subnets.map((entry) => entry.split("=")[1]));
  if (new Set(ids).size !== ids.length) invalid("privateSubnets", subnets, "distinct subnet ids");
  if (zones.size < 2) {
    invalid(
      "privateSubnets",
      subnets,
      "subnets in at least 2 different availability zones (Multi-AZ and replicas need a second AZ)",
    );
  }
  if ((s.allowedCidrs ?? []).length + (s.allowedSecurityGroupIds ?? []).length === 0) {
    problems.push(
      `Missing required config key ${fq("allowedSecurityGroupIds")} or ${fq("allowedCidrs")}: ` +
        "nothing could reach the databases. Give the app's security group or a CIDR.",
    );
  }
  const region = raw["aws:region"];
  if (region === undefined) {
    problems.push(
      "Missing required config key aws:region for this aws stack: the primary region. Set it with `pulumi config set aws:region eu-west-1`.",
    );
  } else if (region === s.backupCopyRegion) {
    invalid(
      "backupCopyRegion",
      s.backupCopyRegion,
      `a region other than aws:region (${region}); a copy in the same region does not survive a regional outage`,
    );
  }
  if (s.postgresBackupRetentionDays === 0 && (s.postgresReplicaCount ?? 0) > 0) {
    invalid(
      "postgresBackupRetentionDays",
      0,
      "1 to 35 while postgresReplicaCount > 0 (RDS read replicas need automated backups on the source)",
    );
  }
  if ((s.postgresMaxAllocatedStorageGb ?? 0) < (s.postgresAllocatedStorageGb ?? 0)) {
    invalid(
      "postgresMaxAllocatedStorageGb",
      s.postgresMaxAllocatedStorageGb,
      `at least postgresAllocatedStorageGb (${s.postgresAllocatedStorageGb})`,
    );
  }
  if (!s.redisClusterMode && (s.redisShards ?? 1) > 1) {
    invalid(
      "redisShards",
      s.redisShards,
      "1 unless redisClusterMode is true (shards exist only in cluster mode)",
    );
  }
  if (s.postgresReplicaCount !== undefined && s.postgresReplicaCount > 0 && zones.size < 2) {
    invalid(
      "postgresReplicaCount",
      s.postgresReplicaCount,
      "0 unless privateSubnets span at least 2 availability zones",
    );
  }
  for (const [user, epochKey] of [
    ["Admin", "redisAdminPasswordEpoch"],
    ["App", "redisAppPasswordEpoch"],
  ] as const) {
    const retired = s[`redis${user}RetiredEpoch`] ?? 0;
    const epoch = s[epochKey] ?? 0;
    if (retired > epoch) invalid(`redis${user}RetiredEpoch`, retired, `0 to ${fq(epochKey)} (${epoch})`);
  }
  if (windowsOverlap(s.postgresBackupWindow, s.postgresMaintenanceWindow)) {
    invalid(
      "postgresBackupWindow",
      s.postgresBackupWindow,
      `a window that does not overlap postgresMaintenanceWindow (${s.postgresMaintenanceWindow})`,
    );
  }
  problems.push(...awsOperationRules(s, fq, raw));
  return problems;
}

/** Whether a daily hh:mm-hh:mm window overlaps a weekly ddd:hh:mm-ddd:hh:mm one on any day (RDS refuses that). */
export function windowsOverlap(daily: string | undefined, weekly: string | undefined): boolean {
  if (!daily || !weekly) return false;
  const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
  const [ds, de] = daily.split("-").map(minutes);
  const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
  const [ws, we] = weekly
    .split("-")
    .map((part) => days.indexOf(part.slice(0, 3)) * 1440 + minutes(part.slice(4)));
  const weekEnd = we >= ws ? we : we + 7 * 1440;
  for (let day = 0; day < 8; day++) {
    const start = day * 1440 + ds;
    const end = day * 1440 + (de >= ds ? de : de + 1440);
    if (start < weekEnd && ws < end) return true;
  }
  return false;
}

function build(
  s: RawSettings,
  project: string,
  stack: string,
  platform: Platform,
  raw: Readonly<Record<string, string>>,
): StackConfig {
  const common = {
    project,
    stack,
    environment: s.environment!,
    owner: s.owner!,
    postgresDatabase: s.postgresDatabase!,
    rotation: {
      postgresAdmin: s.postgresAdminPasswordEpoch!,
      postgresOwner: s.postgresOwnerPasswordEpoch!,
      postgresApp: s.postgresAppPasswordEpoch!,
      postgresReadonly: s.postgresReadonlyPasswordEpoch!,
      redisAdmin: s.redisAdminPasswordEpoch!,
      redisApp: s.redisAppPasswordEpoch!,
      pgadmin: s.devToolsPasswordEpoch!,
      redisCommander: s.devToolsPasswordEpoch!,
    },
  };
  if (platform === "docker") {
    const docker: DockerStackConfig = {
      ...common,
      platform,
      postgres: { image: s.postgresImage!, hostPort: s.postgresHostPort! },
      redis: { image: s.redisImage!, hostPort: s.redisHostPort!, maxmemoryMb: s.redisMaxmemoryMb! },
      tools: {
        enabled: s.devTools!,
        pgadminImage: s.pgadminImage!,
        pgadminHostPort: s.pgadminHostPort!,
        pgadminEmail: s.pgadminEmail!,
        redisCommanderImage: s.redisCommanderImage!,
        redisCommanderHostPort: s.redisCommanderHostPort!,
      },
    };
    return docker;
  }
  const region = raw["aws:region"];
  const [schemaHost, schemaPort] = s.schemaEndpoint ? s.schemaEndpoint.split(":") : [];
  const aws: AwsStackConfig = {
    ...common,
    platform,
    aws: {
      accountId: s.awsAccountId!,
      region,
      partition: region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws",
      kmsKeyArn: s.kmsKeyArn!,
      breakGlassRoleArn: s.kmsBreakGlassRoleArn!,
    },
    network: {
      vpcId: s.vpcId!,
      privateSubnets: s.privateSubnets!.map((entry) => {
        const [id, availabilityZone] = entry.split("=");
        return { id, availabilityZone };
      }),
      allowedCidrs: s.allowedCidrs!,
      allowedSecurityGroupIds: s.allowedSecurityGroupIds!,
      deployRunnerSecurityGroupIds: s.deployRunnerSecurityGroupIds!,
    },
    postgres: {
      instanceClass: s.postgresInstanceClass!,
      replicaCount: s.postgresReplicaCount!,
      allocatedStorageGb: s.postgresAllocatedStorageGb!,
      maxAllocatedStorageGb: s.postgresMaxAllocatedStorageGb!,
      maxConnections: s.postgresMaxConnections!,
      multiAz: s.postgresMultiAz!,
      backupRetentionDays: s.postgresBackupRetentionDays!,
      backupWindow: s.postgresBackupWindow!,
      maintenanceWindow: s.postgresMaintenanceWindow!,
      deletionProtection: s.postgresDeletionProtection!,
      iamAuth: s.postgresIamAuth!,
      caCertIdentifier: s.postgresCaCertIdentifier!,
      caBundlePath: s.postgresCaBundlePath!,
      performanceInsightsRetentionDays: s.postgresPerformanceInsightsRetentionDays!,
      monitoringIntervalSeconds: s.postgresMonitoringIntervalSeconds!,
      proxy: s.rdsProxy!,
      blueGreenUpdate: s.postgresBlueGreenUpdate!,
      databaseInsightsMode: s.postgresDatabaseInsightsMode!,
      schemaEndpoint: schemaHost ? { host: schemaHost, port: Number(schemaPort) } : undefined,
    },
    redis: {
      nodeType: s.redisNodeType!,
      replicaCount: s.redisReplicaCount!,
      clusterMode: s.redisClusterMode!,
      shards: s.redisShards!,
      snapshotRetentionDays: s.redisSnapshotRetentionDays!,
      snapshotWindow: s.redisSnapshotWindow!,
      maintenanceWindow: s.redisMaintenanceWindow!,
      retiredEpoch: { admin: s.redisAdminRetiredEpoch!, app: s.redisAppRetiredEpoch! },
      applyImmediately: s.redisApplyImmediately!,
    },
    backup: {
      copyRegion: s.backupCopyRegion!,
      retentionDays: s.backupRetentionDays!,
      vaultLock: s.backupVaultLock!,
      complianceLock: s.backupVaultComplianceLock!,
      maxRetentionDays: s.backupVaultMaxRetentionDays!,
      startTime: s.backupStartTime!,
    },
    alarmEmail: s.alarmEmail!,
    logRetentionDays: s.logRetentionDays!,
  };
  return aws;
}
