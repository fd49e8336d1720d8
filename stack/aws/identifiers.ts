// The AWS names the stack derives from its stack name, each with the limit AWS puts on it. Checked with the
// config, so a stack name AWS would refuse fails `preview` naming the stack, instead of `up` failing at the
// first store after others were created. Limits (API references): RDS CreateDBInstance DBInstanceIdentifier
// and CreateDBProxy DBProxyName, 1-63 letters, digits or hyphens, first a letter, no trailing or double
// hyphen; ElastiCache CreateReplicationGroup ReplicationGroupId, the same rule with at most 40; AWS Backup
// CreateBackupVault BackupVaultName, at most 50. Pure (the components take their names from here).
import { REDIS_STORES, type RedisStore } from "../redis/stores";

export interface DerivedName {
  readonly what: string;
  readonly name: string;
  readonly max: number;
}

/** What every derived name must look like: lowercase for RDS's and ElastiCache's own stored forms. */
const SHAPE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SHAPE_RULE = "lowercase letters, digits and single hyphens, ending in a letter or digit";

export function stackPrefix(stack: string): string {
  return `offthegrid-${stack}`;
}

export const replicaIdentifier = (primary: string, i: number) => `${primary}-replica-${i + 1}`;
export const proxyName = (prefix: string) => `${prefix}-app`;
export const redisGroupId = (prefix: string, store: RedisStore) => `${prefix}${REDIS_STORES[store].suffix}`;
export const backupVaultNames = (prefix: string) => [`${prefix}-backups`, `${prefix}-backups-copy`];

/** Every name a stack of this name derives, with its limit; `replicas` is postgresReplicaCount. */
export function derivedNames(stack: string, replicas: number): DerivedName[] {
  const prefix = stackPrefix(stack);
  return [
    { what: "RDS instance identifier of the primary", name: prefix, max: 63 },
    ...Array.from({ length: replicas }, (_, i) => ({
      what: `RDS instance identifier of replica ${i + 1}`,
      name: replicaIdentifier(prefix, i),
      max: 63,
    })),
    { what: "RDS Proxy name", name: proxyName(prefix), max: 63 },
    ...(Object.keys(REDIS_STORES) as RedisStore[]).map((store) => ({
      what: `ElastiCache replication group id of the ${store} store`,
      name: redisGroupId(prefix, store),
      max: 40,
    })),
    ...backupVaultNames(prefix).map((name) => ({ what: "AWS Backup vault name", name, max: 50 })),
  ];
}

/** The problems with a stack name for AWS, each naming the stack, the derived name and how to fix it. */
export function stackNameProblems(stack: string, replicas: number): string[] {
  const names = derivedNames(stack, replicas);
  const longest = Math.min(...names.map((n) => n.max - (n.name.length - stack.length)));
  const fix = `Use a stack name of at most ${longest} characters of ${SHAPE_RULE} (\`pulumi stack rename\`).`;
  const problems: string[] = [];
  const misshaped = names.find((n) => !SHAPE.test(n.name));
  if (misshaped)
    problems.push(
      `Stack name "${stack}" cannot name AWS resources: the ${misshaped.what} would be "${misshaped.name}", ` +
        `and AWS allows only ${SHAPE_RULE} there. ${fix}`,
    );
  for (const n of names.filter((d) => d.name.length > d.max))
    problems.push(
      `Stack name "${stack}" makes the ${n.what} "${n.name}" ${n.name.length} characters long; AWS allows at ` +
        `most ${n.max}. ${fix}`,
    );
  return problems;
}
