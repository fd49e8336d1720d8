// From validated settings to the typed StackConfig the program and its components receive. Each concern maps
// its own keys (stack/<concern>/keys.ts); this file only says where each piece goes.
import { EPOCH_KEYS, HOST_PORT_KEYS, KeyName, keys } from "./keys";
import { devToolsSettings, localKeys } from "../local/keys";
import { postgresAwsSettings, postgresDockerSettings } from "../postgres/keys";
import { redisAccess, redisAwsSettings, redisDockerSettings } from "../redis/keys";
import { masterPasswordSettings, retiredEpochs, rotationEpochs } from "../credentials/keys";
import { monitoringSettings, rdsMonitoringSettings } from "../monitoring/keys";
import { networkSettings } from "../network/keys";
import { backupSettings } from "../backup/keys";
import { schemaEndpoint } from "../schema/keys";
import { awsAccountSettings } from "../aws/keys";
import { AwsStackConfig, DockerStackConfig, Platform, StackConfig } from "./types";

/** Every key parsed or defaulted: what validateConfig hands over once it found no problem. */
export type Settings = { [K in KeyName]: ReturnType<(typeof keys)[K]["parse"]> };

interface Identity {
  readonly project: string;
  readonly stack: string;
  readonly platform: Platform;
  /** aws:region, the AWS provider's own key (AWS stacks only). */
  readonly region?: string;
}

function common(s: Settings, id: Identity) {
  return {
    project: id.project,
    stack: id.stack,
    environment: s.environment,
    owner: s.owner,
    postgresDatabase: s.postgresDatabase,
    rotation: rotationEpochs(s),
    ...redisAccess(s),
    epochs: Object.fromEntries(EPOCH_KEYS.map((k) => [k, s[k] as number])),
  };
}

function buildDocker(s: Settings, id: Identity): DockerStackConfig {
  return {
    ...common(s, id),
    platform: "docker",
    // The dev tools' ports (stack/local/keys.ts) are published only while devTools is on.
    hostPorts: Object.fromEntries(
      HOST_PORT_KEYS.filter((k) => s.devTools || !(k in localKeys)).map((k) => [k, s[k] as number]),
    ),
    postgres: postgresDockerSettings(s),
    redis: { ...redisDockerSettings(s), ...retiredEpochs(s) },
    tools: devToolsSettings(s),
  };
}

function buildAws(s: Settings, id: Identity): AwsStackConfig {
  return {
    ...common(s, id),
    platform: "aws",
    aws: awsAccountSettings(s, id.region ?? ""),
    network: networkSettings(s),
    postgres: {
      ...postgresAwsSettings(s),
      ...rdsMonitoringSettings(s),
      ...masterPasswordSettings(s),
      schemaEndpoint: schemaEndpoint(s),
    },
    redis: { ...redisAwsSettings(s), ...retiredEpochs(s) },
    backup: backupSettings(s),
    ...monitoringSettings(s),
  };
}

export function buildConfig(s: Settings, id: Identity): StackConfig {
  return id.platform === "docker" ? buildDocker(s, id) : buildAws(s, id);
}
