// Redis's config keys: the dev container (image, host port, memory), what the app user may touch (every
// platform), and ElastiCache (engine, nodes, shards, snapshots, maintenance).
import {
  InvalidValue,
  KeySpec,
  boolean,
  hostPort,
  integer,
  key,
  oneOf,
  pinnedImage,
} from "../config/key-spec";
import { aws, cacheNodeType, weeklyWindow, window } from "../config/aws-parsers";
import {
  DEFAULT_APP_KEY_PATTERNS,
  DEFAULT_CACHE_KEY_PATTERNS,
  KEY_PATTERN_RULE,
  MAX_APP_KEY_PATTERNS,
  keyPatternsProblems,
  overlappingPatterns,
} from "./key-patterns";
import type { RuleContext } from "../config/rules";
import type { Parsed } from "../config/key-spec";
import type { ElastiCacheSettings } from "./elasticache-settings";

/** The pinned default image; see stack/postgres/keys.ts for why by digest. */
export const DEFAULT_REDIS_IMAGE =
  "redis:7.4.11-bookworm@sha256:c6eabf748fc7a61dbb5a705c78bcf3d6377b1127a97d0ce965c11c44ba46896f";

/** Pulumi hands array config over as a JSON string. */
function keyPatterns(raw: string): string[] {
  const allowed = `a list of 1 to ${MAX_APP_KEY_PATTERNS} distinct patterns, each ${KEY_PATTERN_RULE}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidValue(allowed);
  }
  if (!Array.isArray(parsed) || parsed.some((p) => typeof p !== "string")) throw new InvalidValue(allowed);
  const problems = keyPatternsProblems(parsed as string[]);
  if (problems.length > 0) throw new InvalidValue(`${allowed} (${problems.join("; ")})`);
  return parsed as string[];
}

export const redisKeys = {
  redisImage: key({
    type: "string",
    scope: "docker",
    default: DEFAULT_REDIS_IMAGE,
    parse: pinnedImage(/^(docker\.io\/)?(library\/)?redis$/, 7, "redis:7.4.11-bookworm"),
    description:
      "Redis 7 image, exact version, pinned by digest (`@sha256:<digest>`): without one, a rebuild of the tag replaces the container at the next refresh.",
  }),
  redisHostPort: key({
    type: "integer",
    scope: "docker",
    default: 6379,
    parse: hostPort,
    description: "Host port (bound to 127.0.0.1) for the Redis state store.",
  }),
  redisCacheHostPort: key({
    type: "integer",
    scope: "docker",
    default: 6380,
    parse: hostPort,
    description: "Host port (bound to 127.0.0.1) for the Redis cache store.",
  }),
  redisMaxmemoryMb: key({
    type: "integer",
    scope: "docker",
    default: 256,
    parse: integer(16, 65536),
    description:
      "maxmemory in MiB of the Redis state store (redisAppKeyPatterns: sessions, revocations, rate limits). Full " +
      "means writes fail (OOM), nothing is evicted (noeviction); client buffers may add 10 % on top.",
  }),
  redisCacheMaxmemoryMb: key({
    type: "integer",
    scope: "docker",
    default: 256,
    parse: integer(16, 65536),
    description:
      "maxmemory in MiB of the Redis cache store (redisCacheKeyPatterns), the seed's 256 MB: full, it evicts the " +
      "least recently used cache keys (allkeys-lru), never state.",
  }),
  redisAppKeyPatterns: {
    type: "array",
    scope: "all",
    default: [...DEFAULT_APP_KEY_PATTERNS],
    parse: keyPatterns,
    description:
      "Key patterns (ACL globs) the Redis app user may read and write in the state store (noeviction): the " +
      "families that must not vanish (docs/schema.md lists them). Replacing the list replaces the default: keep " +
      "the families the API uses. A family name and `:` first; `*` alone and the operators' `ops:` family are " +
      "refused; no key may match a redisCacheKeyPatterns pattern too.",
  } satisfies KeySpec<string[]>,
  redisCacheKeyPatterns: {
    type: "array",
    scope: "all",
    default: [...DEFAULT_CACHE_KEY_PATTERNS],
    parse: keyPatterns,
    description:
      "Key patterns (ACL globs) the Redis app user may read and write in the cache store (allkeys-lru): the " +
      "families that can be rebuilt or lost (docs/schema.md lists them). Same rules as redisAppKeyPatterns; no " +
      "key may match both lists.",
  } satisfies KeySpec<string[]>,
  redisAppScan: {
    type: "boolean",
    scope: "all",
    default: true,
    parse: boolean,
    description:
      "Grant the app user SCAN (the API's session cleanup and stats enumerate `session:*` with SCAN MATCH). " +
      "SCAN is keyspace-wide under Redis ACLs: it lists every key name on the instance, other families' " +
      "included. Keep it on only for an instance dedicated to this application; login never needs it.",
  } satisfies KeySpec<boolean>,
  redisEngine: aws<"redis" | "valkey">({
    type: "string",
    default: "redis",
    parse: oneOf(["redis", "valkey"]),
    description:
      "ElastiCache engine: redis (Redis OSS 7.1) or valkey (Valkey 8.0, API-compatible, up to 20 % lower node price). " +
      "redis to valkey is an in-place upgrade; the way back is refused.",
  }),
  redisNodeType: aws({
    type: "string",
    default: "cache.r7g.large",
    parse: cacheNodeType,
    description: "ElastiCache node type of the state store.",
  }),
  redisCacheNodeType: aws({
    type: "string",
    default: "cache.t4g.medium",
    parse: cacheNodeType,
    description:
      "ElastiCache node type of the cache store (3 GiB on the default, the seed's 256 MB cache with room; it " +
      "evicts, so size it for the hit rate). Every other ElastiCache key applies to both stores.",
  }),
  redisReplicaCount: aws({
    type: "integer",
    default: 2,
    parse: integer(0, 5),
    description: "Replicas per shard; >= 1 enables automatic failover and Multi-AZ.",
  }),
  redisClusterMode: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Cluster mode (sharding) for when one node's memory is outgrown; clients use the configuration endpoint.",
  }),
  redisShards: aws({
    type: "integer",
    default: 1,
    parse: integer(1, 90),
    description: "Shards (node groups) when redisClusterMode is on.",
  }),
  redisSnapshotRetentionDays: aws({
    type: "integer",
    default: 7,
    parse: integer(1, 35),
    description: "Daily Redis snapshots kept.",
  }),
  redisSnapshotWindow: aws({
    type: "string",
    default: "04:00-05:00",
    parse: window("04:00-05:00"),
    description: "Daily Redis snapshot window (UTC).",
  }),
  redisMaintenanceWindow: aws({
    type: "string",
    default: "sun:05:00-sun:06:00",
    parse: weeklyWindow("sun:05:00-sun:06:00"),
    description: "Weekly ElastiCache maintenance window (UTC).",
  }),
  redisApplyImmediately: aws({
    type: "boolean",
    default: false,
    parse: boolean,
    description:
      "Apply ElastiCache changes (node type, parameters) at once instead of in redisMaintenanceWindow; a node-type change fails over.",
  }),
};

/** Every platform: the two stores' key families are disjoint. */
export function redisStoreRules(c: RuleContext): void {
  const state = c.s.redisAppKeyPatterns;
  const cache = c.s.redisCacheKeyPatterns;
  // Both keys: either may be the one just changed.
  for (const [s, k] of state && cache ? overlappingPatterns(state, cache) : [])
    c.problem(
      `Invalid values for ${c.fq("redisAppKeyPatterns")} and ${c.fq("redisCacheKeyPatterns")}: "${s}" and "${k}" ` +
        "match the same keys, so a key of that family could be written into either store (state into the LRU " +
        `cache). Allowed values are: lists no key matches both of; remove or narrow "${s}" or "${k}".`,
    );
}

export function redisRules(c: RuleContext): void {
  if (!c.s.redisClusterMode && (c.s.redisShards ?? 1) > 1)
    c.invalid(
      "redisShards",
      c.s.redisShards,
      "1 unless redisClusterMode is true (shards exist only in cluster mode)",
    );
}

type RedisParsed = Parsed<typeof redisKeys>;

/** What the app user may touch in each store (stack/redis/access.ts renders it for the dev ACL and RBAC). */
export const redisAccess = (s: RedisParsed) => ({
  redisAccess: { keyPatterns: s.redisAppKeyPatterns, scan: s.redisAppScan },
  redisCacheAccess: { keyPatterns: s.redisCacheKeyPatterns, scan: s.redisAppScan },
});

export const redisDockerSettings = (s: RedisParsed) => ({
  image: s.redisImage,
  hostPort: s.redisHostPort,
  maxmemoryMb: s.redisMaxmemoryMb,
  cache: { hostPort: s.redisCacheHostPort, maxmemoryMb: s.redisCacheMaxmemoryMb },
});

/** The state store's ElastiCache settings; the cache store takes them all but the node type. */
export const redisAwsSettings = (
  s: RedisParsed,
): Omit<ElastiCacheSettings, "retiredEpoch"> & { cacheNodeType: string } => ({
  engine: s.redisEngine,
  nodeType: s.redisNodeType,
  cacheNodeType: s.redisCacheNodeType,
  replicaCount: s.redisReplicaCount,
  clusterMode: s.redisClusterMode,
  shards: s.redisShards,
  snapshotRetentionDays: s.redisSnapshotRetentionDays,
  snapshotWindow: s.redisSnapshotWindow,
  maintenanceWindow: s.redisMaintenanceWindow,
  applyImmediately: s.redisApplyImmediately,
});
