// Shared by the policy tests (test/policy/policies-*.test.ts): the offline evaluator with a config, one valid
// resource of each kind the pack checks, and the table-driven test each family's cases run through.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluatePolicies, OfflineResource, PolicyConfigFile } from "../../policy/offline";
import { policies } from "../../policy/policies";
import { ROOT } from "../../testbed/stack";

export const configOf = (env: string): PolicyConfigFile =>
  JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "config", `${env}.json`), "utf8"));
export const run = (resources: OfflineResource[], config: PolicyConfigFile = { all: "mandatory" }) =>
  evaluatePolicies(policies, resources, {
    stack: "test",
    project: "offthegrid-database",
    config,
    defaultProviderProps: { region: "eu-west-1" },
  });
export const tags = { Project: "offthegrid-database", Environment: "prod", Owner: "platform" };

export const primary = {
  engine: "postgres",
  engineVersion: "17",
  identifier: "db",
  storageEncrypted: true,
  kmsKeyId: "arn:key",
  publiclyAccessible: false,
  backupRetentionPeriod: 14,
  deletionProtection: true,
  multiAz: true,
  skipFinalSnapshot: false,
  finalSnapshotIdentifier: "db-final-1a2b",
  performanceInsightsEnabled: true,
  performanceInsightsKmsKeyId: "arn:key",
  parameterGroupName: "pg-123",
  autoMinorVersionUpgrade: true,
  tags,
};
export const replica = {
  ...primary,
  identifier: "db-replica-1",
  replicateSourceDb: "db",
  engineVersion: undefined,
  skipFinalSnapshot: true,
  multiAz: false,
};
export const cache = {
  transitEncryptionEnabled: true,
  atRestEncryptionEnabled: true,
  userGroupIds: ["users"],
  numCacheClusters: 3,
  automaticFailoverEnabled: true,
  multiAzEnabled: true,
  snapshotRetentionLimit: 7,
  tags,
};
export const container = {
  image: "sha256:0123",
  ports: [{ internal: 5432, external: 5432, ip: "127.0.0.1" }],
  healthcheck: { tests: ["CMD", "pg_isready"] },
  envs: ["POSTGRES_PASSWORD_FILE=/run/secrets/pw", "POSTGRES_DB=app"],
};
export const R = (
  type: string,
  name: string,
  props: Record<string, unknown>,
  extra: Partial<OfflineResource> = {},
): OfflineResource => ({ type, name, props, ...extra });

export const alarm = (name: string, metricName: string, dimensions: Record<string, string>, threshold = 1) =>
  R("aws:cloudwatch/metricAlarm:MetricAlarm", name, { metricName, dimensions, threshold, tags });
export const storageAlarm = (threshold: number) => [
  R("aws:rds/instance:Instance", "db", { ...primary, allocatedStorage: 200, maxAllocatedStorage: 2000 }),
  alarm("free", "FreeStorageSpace", { DBInstanceIdentifier: "db" }, threshold),
];
export const lowStorageEvents = R("aws:rds/eventSubscription:EventSubscription", "events", {
  eventCategories: ["low storage", "notification"],
  tags,
});

export const managedPrimary = {
  ...primary,
  manageMasterUserPassword: true,
  masterUserSecretKmsKeyId: "arn:key",
};
export const crossRegionReplica = {
  ...replica,
  identifier: "db-dr",
  replicateSourceDb: "arn:aws:rds:eu-west-1:123456789012:db:db",
  storageEncrypted: true,
  kmsKeyId: "arn:aws:kms:eu-central-1:123456789012:key/dr",
  maintenanceWindow: "sun:04:00-sun:05:00",
  region: "eu-central-1",
};

/** [policy, a valid resource set, the same with one field changed, message] */
export type Case = [string, OfflineResource[], OfflineResource[], RegExp];

/**
 * One test a case: the valid set passes the policy, the changed one is caught once, mandatory, with the
 * message.
 */
export function itCatchesEach(cases: readonly Case[]): void {
  for (const [name, valid, invalid, message] of cases) {
    it(`${name}: passes a valid resource, catches one changed field`, async () => {
      assert.deepEqual(
        (await run(valid)).filter((v) => v.policy === name),
        [],
      );
      const caught = (await run(invalid)).filter((v) => v.policy === name);
      assert.equal(caught.length, 1, JSON.stringify(caught));
      assert.match(caught[0].message, message);
      assert.equal(caught[0].level, "mandatory");
    });
  }
}
