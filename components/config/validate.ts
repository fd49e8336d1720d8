// Pure config validation: raw Pulumi config map in, typed StackConfig out, or one ConfigError that lists every
// problem (key, bad value, what is allowed). Runs before any resource is registered.
import { ENVIRONMENTS, Environment, KeyName, RawSettings, keys } from "./keys";
import { InvalidValue, KeyScope, KeySpec } from "./spec";
import { AwsStackConfig, DockerStackConfig, Platform, StackConfig } from "./types";

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
    const value = raw[fq(name)];
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
    problems.push(...(platform === "docker" ? dockerRules(s, fq) : awsRules(s, fq)));
  }
  if (problems.length > 0 || platform === undefined) throw new ConfigError(stack, problems);
  return build(settings as RawSettings, project, stack, platform);
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

function awsRules(s: RawSettings, fq: (k: string) => string): string[] {
  const problems: string[] = [];
  const subnets = s.privateSubnets ?? [];
  const ids = subnets.map((entry) => entry.split("=")[0]);
  const zones = new Set(subnets.map((entry) => entry.split("=")[1]));
  if (new Set(ids).size !== ids.length) {
    problems.push(
      `Invalid value for ${fq("privateSubnets")}: ${JSON.stringify(subnets)}. Allowed values are: distinct subnet ids.`,
    );
  }
  if (zones.size < 2) {
    problems.push(
      `Invalid value for ${fq("privateSubnets")}: ${JSON.stringify(subnets)}. Allowed values are: subnets in at ` +
        "least 2 different availability zones (Multi-AZ and replicas need a second AZ).",
    );
  }
  if ((s.allowedCidrs ?? []).length + (s.allowedSecurityGroupIds ?? []).length === 0) {
    problems.push(
      `Missing required config key ${fq("allowedSecurityGroupIds")} or ${fq("allowedCidrs")}: ` +
        "nothing could reach the databases. Give the app's security group or a CIDR.",
    );
  }
  return problems;
}

function build(s: RawSettings, project: string, stack: string, platform: Platform): StackConfig {
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
  const aws: AwsStackConfig = {
    ...common,
    platform,
    network: {
      vpcId: s.vpcId!,
      privateSubnets: s.privateSubnets!.map((entry) => {
        const [id, availabilityZone] = entry.split("=");
        return { id, availabilityZone };
      }),
      allowedCidrs: s.allowedCidrs!,
      allowedSecurityGroupIds: s.allowedSecurityGroupIds!,
    },
  };
  return aws;
}
