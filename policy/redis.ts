// Redis on ElastiCache: encryption, access control, failover, snapshots, and the RBAC user group's engine.
import type { StackValidationPolicy } from "@pulumi/policy";
import { REPLICATION_GROUP, onType, resourcePolicy } from "./kit";
import { fixes } from "./fixes";
import { redisEvictionPolicy } from "./redis-eviction";

/** The config key or stack file behind each property this file's rules report on (policy/fixes.ts). */
export const redisFixes = fixes("policy/redis.ts", {
  propertyKeys: {
    [REPLICATION_GROUP]: { snapshotRetentionLimit: "redisSnapshotRetentionDays", engine: "redisEngine" },
  },
  codeSet: {
    [REPLICATION_GROUP]: {
      transitEncryptionEnabled: "stack/redis/elasticache.ts",
      atRestEncryptionEnabled: "stack/redis/elasticache.ts",
      userGroupIds: "stack/redis/elasticache.ts",
      automaticFailoverEnabled: "stack/redis/elasticache.ts",
    },
  },
});
const { fix } = redisFixes;

export const elasticacheEncryption = () =>
  resourcePolicy(
    "elasticache-encryption",
    "Redis encrypts in transit (TLS) and at rest.",
    onType(REPLICATION_GROUP, (p, a, report) => {
      if (p.transitEncryptionEnabled !== true)
        report(
          `ElastiCache replication group ${a.name} must require TLS: ${fix(REPLICATION_GROUP, "transitEncryptionEnabled", "to true")}.`,
        );
      if (p.atRestEncryptionEnabled !== true && p.atRestEncryptionEnabled !== "true") {
        report(
          `ElastiCache replication group ${a.name} must encrypt at rest: ${fix(REPLICATION_GROUP, "atRestEncryptionEnabled", "to true")}.`,
        );
      }
    }),
  );

export const elasticacheAccessControl = () =>
  resourcePolicy(
    "elasticache-access-control",
    "Redis access is controlled by an RBAC user group (or at least an auth token).",
    onType(REPLICATION_GROUP, (p, a, report) => {
      if (!(p.userGroupIds ?? []).length && !p.authToken) {
        report(
          `ElastiCache replication group ${a.name} lets anyone connect: attach an RBAC user group with the default user disabled (${fix(REPLICATION_GROUP, "userGroupIds", "")}).`,
        );
      }
    }),
  );

export const elasticacheFailover = () =>
  resourcePolicy(
    "elasticache-failover",
    "Redis with replicas fails over automatically across AZs.",
    onType(REPLICATION_GROUP, (p, a, report) => {
      const replicas = (p.numCacheClusters ?? 1) > 1 || (p.replicasPerNodeGroup ?? 0) >= 1;
      if (replicas && (p.automaticFailoverEnabled !== true || p.multiAzEnabled !== true)) {
        report(
          `ElastiCache replication group ${a.name} has replicas: ${fix(REPLICATION_GROUP, "automaticFailoverEnabled", "to true")}, and multiAzEnabled too.`,
        );
      }
    }),
  );

export const elasticacheSnapshots = () =>
  resourcePolicy(
    "elasticache-snapshot-retention",
    "Redis keeps daily snapshots.",
    onType(REPLICATION_GROUP, (p, a, report) => {
      if (!(p.snapshotRetentionLimit >= 1))
        report(
          `ElastiCache replication group ${a.name} must keep snapshots: ${fix(REPLICATION_GROUP, "snapshotRetentionLimit", "to at least 1")}.`,
        );
    }),
  );

/**
 * ElastiCache user guide, "Role-Based Access Control (RBAC)": a Valkey cluster accepts user groups of engine
 * valkey or redis, a Redis OSS cluster only user groups of engine redis.
 */
export const elasticacheUserGroupEngine = (): StackValidationPolicy => ({
  name: "elasticache-user-group-engine",
  description:
    "A Redis OSS replication group uses only RBAC user groups of engine redis (a valkey group is refused).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const groups = args.resources.filter((r) => r.type === "aws:elasticache/userGroup:UserGroup");
    for (const rg of args.resources.filter(
      (r) => r.type === REPLICATION_GROUP && (r.props.engine ?? "redis") === "redis",
    )) {
      const ids: unknown[] = rg.props.userGroupIds ?? [];
      for (const g of groups.filter(
        (g) => ids.includes(g.props.userGroupId) && typeof g.props.engine === "string",
      ))
        if (g.props.engine.toLowerCase() !== "redis")
          report(
            `ElastiCache replication group ${rg.name} runs Redis OSS but its user group ${g.name} has engine ${g.props.engine}: Redis OSS accepts only user groups of engine redis (${fix(REPLICATION_GROUP, "engine", "to valkey, or keep redis on both")}).`,
            g.urn,
          );
    }
  },
});

export const redisPolicies = [
  elasticacheEncryption(),
  elasticacheAccessControl(),
  elasticacheFailover(),
  elasticacheSnapshots(),
  elasticacheUserGroupEngine(),
  redisEvictionPolicy(),
];
