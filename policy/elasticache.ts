// ElastiCache rules: encryption, access control, failover and snapshots of replication groups.
import { REPLICATION_GROUP, onType, resourcePolicy } from "./kit";

export const elasticacheEncryption = () =>
  resourcePolicy(
    "elasticache-encryption",
    "Redis encrypts in transit (TLS) and at rest.",
    onType(REPLICATION_GROUP, (p, a, report) => {
      if (p.transitEncryptionEnabled !== true)
        report(
          `ElastiCache replication group ${a.name} must require TLS: set transitEncryptionEnabled: true.`,
        );
      if (p.atRestEncryptionEnabled !== true && p.atRestEncryptionEnabled !== "true") {
        report(
          `ElastiCache replication group ${a.name} must encrypt at rest: set atRestEncryptionEnabled: true (and kmsKeyId).`,
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
          `ElastiCache replication group ${a.name} lets anyone connect: attach an RBAC user group (userGroupIds) with the default user disabled.`,
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
          `ElastiCache replication group ${a.name} has replicas: set automaticFailoverEnabled: true and multiAzEnabled: true.`,
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
          `ElastiCache replication group ${a.name} must keep snapshots: set snapshotRetentionLimit to at least 1.`,
        );
    }),
  );

export const elasticachePolicies = [
  elasticacheEncryption(),
  elasticacheAccessControl(),
  elasticacheFailover(),
  elasticacheSnapshots(),
];
