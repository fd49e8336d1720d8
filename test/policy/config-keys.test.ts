// Policy violations name the config key the user sets (each rule file's fixes() tables, composed in
// policy/config-keys.ts): each mapped key, changed in the prod stack under mocks, changes the resource
// property the pack checks; every violation of the pack's cases names a key of the key table, or the file
// that fixes a property no key sets; every report in the pack goes through fix(); rule files that declare the
// same property agree.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CODE_SET, FIXES, PROPERTY_KEYS, configKeyOf } from "../../policy/config-keys";
import { RDS_INSTANCE } from "../../policy/kit";
import { keys } from "../../stack/config/keys";
import { ROOT } from "../../testbed/root";
import { StackRun, ofType } from "../../testbed/stack";
import { dockerCases, elasticacheCases, rdsCases } from "../support/policy-cases";
import { awsCases } from "../support/policy-cases-aws";
import { run } from "../support/policy-fixtures";
import { prodStack } from "../support/prod-stack";

const cases = [...rdsCases, ...elasticacheCases, ...dockerCases, ...awsCases];

/** A value for each mapped key other than Pulumi.prod.yaml's (with what the config rules need beside it). */
const CHANGED: Record<string, Record<string, string>> = {
  postgresMultiAz: { postgresMultiAz: "false" },
  postgresDeletionProtection: { postgresDeletionProtection: "false" },
  postgresBackupRetentionDays: { postgresBackupRetentionDays: "9" },
  postgresMaxAllocatedStorageGb: { postgresMaxAllocatedStorageGb: "3000" },
  postgresMaintenanceWindow: { postgresMaintenanceWindow: "tue:03:00-tue:04:00" },
  postgresBackupWindow: { postgresBackupWindow: "01:00-01:30" },
  postgresMasterPasswordMode: { postgresMasterPasswordMode: "managed", postgresReplicaCount: "0" },
  postgresBlueGreenUpdate: { postgresBlueGreenUpdate: "true", postgresReplicaCount: "0" },
  postgresReplicaCount: { postgresReplicaCount: "1" },
  kmsKeyArn: { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
  redisSnapshotRetentionDays: { redisSnapshotRetentionDays: "3" },
  redisEngine: { redisEngine: "valkey" },
  allowedCidrs: { allowedCidrs: JSON.stringify(["10.9.0.0/16"]) },
  backupStartTime: { backupStartTime: "07:00" },
  backupCopyRegion: { backupCopyRegion: "us-west-2" },
  backupVaultComplianceLock: { backupVaultComplianceLock: "true" },
  owner: { owner: "someone-else" },
};

/** Keys that change the replica count, run alone so no other key's property change is credited to them. */
const SOLO = ["postgresMasterPasswordMode", "postgresBlueGreenUpdate", "postgresReplicaCount"];

/**
 * RDS's own secret for a managed master password, as AWS would answer
 * (test/stack/prod-managed-password.test.ts).
 */
const MANAGED_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-mock";
const awsAnswers = {
  state: (args: pulumi.runtime.MockResourceArgs) =>
    args.type === RDS_INSTANCE && args.inputs.manageMasterUserPassword
      ? { masterUserSecrets: [{ secretArn: MANAGED_ARN, secretStatus: "active" }] }
      : undefined,
  call: (args: pulumi.runtime.MockCallArgs) =>
    args.inputs.secretId === MANAGED_ARN
      ? {
          ...args.inputs,
          secretString: JSON.stringify({ username: "postgres", password: "mock-Pw-0123456789" }),
        }
      : undefined,
};

/**
 * What the pack sees of `property`, at any depth, on every resource of `type` (`replicas`: the RDS replicas
 * there are).
 */
function seen(stack: StackRun, type: string, property: string): string {
  if (type === RDS_INSTANCE && property === "replicas")
    return String(ofType(stack, type).filter((r) => r.inputs.replicateSourceDb).length);
  const resources =
    type === "aws:*" ? stack.resources.filter((r) => r.type.startsWith("aws:")) : ofType(stack, type);
  // Wherever the property sits (a backup plan's schedule is in rules[]).
  const found: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null)
      for (const [k, x] of Object.entries(v)) {
        if (k === property) found.push(x);
        else walk(x);
      }
  };
  resources.forEach((r) => walk(r.inputs));
  // The distinct values: a key that adds or removes resources (with the same tags) does not move a property.
  return JSON.stringify([...new Set(found.map((v) => JSON.stringify(v)))].sort());
}

describe("policy messages name the config key", function () {
  this.timeout(120_000);

  it("every mapped key is in the key table, every file of a code-fixed property exists", () => {
    for (const byProperty of Object.values(PROPERTY_KEYS))
      for (const key of Object.values(byProperty)) assert.ok(key in keys, key);
    for (const byProperty of Object.values(CODE_SET))
      for (const file of Object.values(byProperty)) assert.ok(fs.existsSync(path.join(ROOT, file)), file);
  });

  it("every report in the pack names its fix through fix() (so through a key or a file)", () => {
    const dir = path.join(ROOT, "policy");
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const source = fs.readFileSync(path.join(dir, file), "utf8");
      // From each report( to the end of its statement.
      for (const call of source
        .split(/\breport\(/)
        .slice(1)
        .map((c) => c.split(";\n")[0]))
        assert.match(call, /\$\{fix\(/, `${file}: ${call.slice(0, 160)}`);
    }
  });

  it("every rule file's tables are composed, and a property two files declare maps to the same key or file in both", () => {
    const dir = path.join(ROOT, "policy");
    const declaring = fs
      .readdirSync(dir)
      // config-keys.ts composes the others' tables through fixes() too.
      .filter((f) => f.endsWith(".ts") && f !== "config-keys.ts")
      .filter((f) => /\bfixes\("policy\//.test(fs.readFileSync(path.join(dir, f), "utf8")))
      .map((f) => `policy/${f}`);
    const composed = FIXES.map((f) => f.file).sort();
    assert.deepEqual(
      composed,
      declaring.sort(),
      `policy/config-keys.ts: FIXES composes ${composed.join(", ")}; add every rule file that calls fixes()`,
    );
    // "type property" → what each file says sets it ("key X" or "file Y") → the files saying so.
    const claims = new Map<string, Map<string, string[]>>();
    for (const f of FIXES)
      for (const [kind, table] of [
        ["key", f.propertyKeys],
        ["file", f.codeSet],
      ] as const)
        for (const [type, byProperty] of Object.entries(table))
          for (const [property, target] of Object.entries(byProperty)) {
            const byTarget = claims.get(`${type} ${property}`) ?? new Map<string, string[]>();
            byTarget.set(`${kind} ${target}`, [...(byTarget.get(`${kind} ${target}`) ?? []), f.file]);
            claims.set(`${type} ${property}`, byTarget);
          }
    const shared = [...claims].filter(([, byTarget]) => [...byTarget.values()].flat().length > 1);
    // Not vacuous: the postgres and credentials rules both report on the password mode.
    assert.ok(
      shared.some(([row]) => row === `${RDS_INSTANCE} manageMasterUserPassword`),
      shared.map(([row]) => row).join(", "),
    );
    const disagreeing = shared
      .filter(([, byTarget]) => byTarget.size > 1)
      .map(
        ([row, byTarget]) =>
          `${row}: ${[...byTarget].map(([t, files]) => `${t} in ${files.join(", ")}`).join("; ")}`,
      );
    assert.deepEqual(
      disagreeing,
      [],
      `rule files disagree on what sets a property; make their rows the same:\n${disagreeing.join("\n")}`,
    );
  });

  it("every violation of the pack's cases names a key of the key table or the file that fixes the property", async () => {
    let named = 0;
    for (const [policy, , bad] of cases) {
      const violations = await run(bad);
      assert.ok(violations.length > 0, policy);
      for (const { message } of violations) {
        const key = /offthegrid-database:(\w+)/.exec(message)?.[1];
        const file = /in ((?:stack|policy)\/[\w/.-]+\.ts) \(no config key sets it\)/.exec(message)?.[1];
        assert.ok(
          (key && key in keys) || (file && fs.existsSync(path.join(ROOT, file))),
          `${policy}: ${message}`,
        );
        if (key) named++;
      }
    }
    assert.ok(named >= 5, `${named} violations name a config key`);
    // The issue's example: multiAz is postgresMultiAz.
    const [multiAz] = await run(cases.find(([p]) => p === "rds-multi-az")![2]);
    assert.match(multiAz.message, /set offthegrid-database:postgresMultiAz to true \(multiAz\)/);
  });

  it("each mapped key, changed in the prod stack under mocks, changes the property it is mapped to, and no other key does", async function () {
    this.timeout(600_000);
    // Group testing (a prod run costs seconds): key i of the shared keys gets the code i + 1, and run b
    // changes the keys whose code has bit b. A property that follows key i, and only it, changes in exactly
    // the runs of i's bits, so a property credited to the wrong key fails. SOLO keys move the replica count:
    // a run each.
    const shared = Object.keys(CHANGED).filter((k) => !SOLO.includes(k));
    const code = (key: string) => shared.indexOf(key) + 1;
    const bits = Math.ceil(Math.log2(shared.length + 1));
    const base = await prodStack();
    const runs: StackRun[] = [];
    for (let b = 0; b < bits; b++) {
      const keys = shared.filter((k) => (code(k) >> b) & 1);
      runs.push(await prodStack(Object.assign({}, ...keys.map((k) => CHANGED[k])), awsAnswers));
    }
    const solo = new Map<string, StackRun>();
    for (const key of SOLO) solo.set(key, await prodStack(CHANGED[key], awsAnswers));
    for (const [type, byProperty] of Object.entries(PROPERTY_KEYS))
      for (const [property, key] of Object.entries(byProperty)) {
        assert.equal(configKeyOf(type === "aws:*" ? "aws:kms/key:Key" : type, property), key);
        assert.ok(CHANGED[key], `${key}: add a changed value to CHANGED to prove ${type} ${property}`);
        const moved = (r: StackRun) => seen(r, type, property) !== seen(base, type, property);
        if (SOLO.includes(key)) {
          assert.ok(moved(solo.get(key)!), `${key} → ${type} ${property}`);
          continue;
        }
        const pattern = runs.map(moved);
        const expected = runs.map((_, b) => Boolean((code(key) >> b) & 1));
        assert.deepEqual(pattern, expected, `${type} ${property} follows ${key} (and no other key)`);
      }
  });
});
