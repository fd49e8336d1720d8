// What a cluster-mode client needs beyond the app's data commands: topology discovery and redirect handling.
// ioredis's Cluster sends CLUSTER SLOTS (discovery) and CLUSTER INFO (ready check), READONLY / READWRITE on
// replica connections (scaleReads) and ASKING before following an -ASK redirect during resharding
// (ioredis/built/cluster/index.js, ConnectionPool.js); Redis 7 clients also use CLUSTER SHARDS.
import { RedisAppAccess, appPermissions } from "./access";

export const CLUSTER_CLIENT_COMMANDS = [
  "cluster|slots",
  "cluster|shards",
  "cluster|info",
  "readonly",
  "readwrite",
  "asking",
] as const;

/** The app user's ACL rules (without on/off and passwords), plus the cluster commands in cluster mode. */
export function appAccessRules(access: RedisAppAccess, clusterMode: boolean): string {
  const cluster = clusterMode ? CLUSTER_CLIENT_COMMANDS.map((c) => ` +${c}`).join("") : "";
  return `${appPermissions(access)}${cluster}`;
}
