// Which eviction policy each Redis store runs: a store the app user can write state into (revocations,
// rate-limit windows, sessions, websockets, grids, operators' keys) must refuse writes when full
// (noeviction), since Redis evicts by instance, not by family; a store that holds only cache families must
// evict them (allkeys-lru / allkeys-lfu) or a full cache refuses every write. The store's role is read from
// what its app user is granted, on ElastiCache (user group → users' access strings, parameter group) and in
// the dev containers (redis.conf and the aclfile seed they upload).
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { CONTAINER, Props, REPLICATION_GROUP } from "./kit";
import { fixes } from "./fixes";

const PARAMETER_GROUP = "aws:elasticache/parameterGroup:ParameterGroup";

/** The config key or stack file behind each property this file's rules report on (policy/fixes.ts). */
export const redisEvictionFixes = fixes("policy/redis-eviction.ts", {
  codeSet: {
    [PARAMETER_GROUP]: { parameters: "stack/redis/stores.ts" },
    [CONTAINER]: { uploads: "stack/redis/stores.ts" },
  },
});
const { fix } = redisEvictionFixes;

/** A key of each family that must not vanish (the pack cannot import the stack's lists: it ships alone). */
export const STATE_SAMPLE_KEYS = [
  "jwt_blacklist:k",
  "rate_limit:k",
  "rate_limit:k:api",
  "session:k",
  "user:k:sessions",
  "user:k:connections",
  "ws_connections:k",
  "ws:k:c",
  "grid:k",
  "ops:k",
];

/** allkeys-*: every cache key is a candidate; volatile-* refuses writes once no key with a TTL is left. */
export const CACHE_POLICIES = ["allkeys-lru", "allkeys-lfu"];

const matches = (pattern: string, key: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(key);

/** The `~pattern`s of the non-admin users' ACL rules (a `~*` user is an operator). */
export function appPatterns(rules: readonly string[]): string[] {
  return rules
    .map((r) => r.split(/\s+/))
    .filter((tokens) => !tokens.includes("~*") && !tokens.includes("off"))
    .flatMap((tokens) => tokens.filter((t) => t.startsWith("~")).map((t) => t.slice(1)));
}

/** Why a store with these app patterns must not run `policy`; undefined when it may. */
export function evictionProblem(patterns: readonly string[], policy: string): string | undefined {
  if (patterns.length === 0) return undefined;
  const state = patterns.find((p) => STATE_SAMPLE_KEYS.some((k) => matches(p, k)));
  if (state && policy !== "noeviction")
    return (
      `lets the app write state (${state}) but runs maxmemory-policy ${policy}: a flood of cache writes ` +
      "would evict revocations, rate-limit windows and sessions; state needs noeviction"
    );
  if (!state && !CACHE_POLICIES.includes(policy))
    return (
      `holds only cache families (${patterns.join(" ")}) but runs maxmemory-policy ${policy}: a full ` +
      `cache would refuse writes instead of evicting. Use ${CACHE_POLICIES.join(" or ")}`
    );
  return undefined;
}

const USER = "aws:elasticache/user:User";
const USER_GROUP = "aws:elasticache/userGroup:UserGroup";
/** ElastiCache's default for the redis7 and valkey8 families. */
const ELASTICACHE_DEFAULT_POLICY = "volatile-lru";
const MOVE = "or move the family between offthegrid-database:redisAppKeyPatterns and redisCacheKeyPatterns";

function elasticacheStores(resources: readonly PolicyResource[], report: (m: string, urn: string) => void) {
  const of = (type: string) => resources.filter((r) => r.type === type);
  for (const rg of of(REPLICATION_GROUP)) {
    const params = of(PARAMETER_GROUP).find(
      (pg) => (pg.props.name ?? pg.name) === rg.props.parameterGroupName,
    );
    const groups = of(USER_GROUP).filter((g) => (rg.props.userGroupIds ?? []).includes(g.props.userGroupId));
    const ids = groups.flatMap((g) => g.props.userIds ?? []);
    const rules = of(USER)
      .filter((u) => ids.includes(u.props.userId) && typeof u.props.accessString === "string")
      .map((u) => u.props.accessString as string);
    // Unknown in preview (or not ours): nothing to judge.
    if (!params && rg.props.parameterGroupName !== undefined) continue;
    const setting = (params?.props.parameters ?? []).find((p: Props) => p.name === "maxmemory-policy");
    const problem = evictionProblem(appPatterns(rules), setting?.value ?? ELASTICACHE_DEFAULT_POLICY);
    if (problem)
      report(
        `ElastiCache replication group ${rg.name} ${problem}: ${fix(PARAMETER_GROUP, "parameters", "(maxmemory-policy)")}, ${MOVE}.`,
        rg.urn,
      );
  }
}

function containerStores(resources: readonly PolicyResource[], report: (m: string, urn: string) => void) {
  for (const c of resources.filter((r) => r.type === CONTAINER)) {
    const uploads: Props[] = Array.isArray(c.props.uploads) ? c.props.uploads : [];
    const text = (suffix: string) =>
      uploads.find((u) => String(u.file ?? "").endsWith(suffix) && typeof u.content === "string")?.content as
        string | undefined;
    const conf = text("redis.conf");
    const seed = text("users.acl.seed") ?? conf;
    const policy = conf && /^maxmemory-policy (\S+)$/m.exec(conf)?.[1];
    if (!policy || !seed) continue;
    const rules = seed.split("\n").filter((l) => l.startsWith("user "));
    const problem = evictionProblem(appPatterns(rules), policy);
    if (problem)
      report(
        `Container ${c.name} ${problem}: ${fix(CONTAINER, "uploads", "(redis.conf maxmemory-policy)")}, ${MOVE}.`,
        c.urn,
      );
  }
}

export const redisEvictionPolicy = (): StackValidationPolicy => ({
  name: "redis-eviction-by-store",
  description:
    "A Redis store the app can write state into runs noeviction; a store of cache families only evicts (allkeys-lru/lfu).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    elasticacheStores(args.resources, report);
    containerStores(args.resources, report);
  },
});
