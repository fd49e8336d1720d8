// An RDS-managed master password. The schema step reads the password from RDS's own
// secret (masterUserSecrets[0].secretArn) through getSecretVersion, keeps it secret, and our own
// postgres/admin secret goes (it would hold a password RDS never set). Failed before: no such mode existed.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { isSecretValue, plain } from "../../testbed/mocks";
import { StackRun, ofType } from "../../testbed/stack";
import { T, primaryOf, prodStack } from "../support/prod-stack";

const GET_SECRET_VERSION = "aws:secretsmanager/getSecretVersion:getSecretVersion";
const MANAGED_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b2c3d-mock-AbCdEf";
const MANAGED_PASSWORD = "rds-managed-Pw-0123456789abcdefXYZ";

/** What AWS returns: the instance's managed secret, and that secret's current value. */
const awsAnswers = {
  state: (args: pulumi.runtime.MockResourceArgs) =>
    args.type === T.instance && args.inputs.manageMasterUserPassword
      ? {
          masterUserSecrets: [
            {
              secretArn: MANAGED_ARN,
              kmsKeyId: args.inputs.masterUserSecretKmsKeyId,
              secretStatus: "active",
            },
          ],
        }
      : undefined,
  call: (args: pulumi.runtime.MockCallArgs) =>
    args.token === GET_SECRET_VERSION && args.inputs.secretId === MANAGED_ARN
      ? { ...args.inputs, secretString: JSON.stringify({ username: "postgres", password: MANAGED_PASSWORD }) }
      : undefined,
};

/** Every value with secrets replaced by a marker, as text: what would be readable without the stack's key. */
function withoutSecrets(value: unknown): string {
  const redact = (v: unknown): unknown => {
    if (isSecretValue(v)) return "[secret]";
    if (Array.isArray(v)) return v.map(redact);
    if (typeof v === "object" && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x)]));
    return v;
  };
  return JSON.stringify(redact(value));
}

const schemaOf = (run: StackRun) => run.resources.find((r) => r.type.includes("SchemaMigrations"))!;

describe("prod stack: RDS-managed master password (postgresMasterPasswordMode)", function () {
  let managed: StackRun;
  let generated: StackRun;
  before(async () => {
    managed = await prodStack(
      { postgresMasterPasswordMode: "managed", postgresReplicaCount: "0" },
      awsAnswers,
    );
    generated = await prodStack({}, awsAnswers);
  });

  it("the primary lets RDS manage the password (secret under the stack key) and sends no write-only password", () => {
    const primary = plain(primaryOf(managed).inputs);
    assert.equal(primary.manageMasterUserPassword, true);
    const key = ofType(managed, T.key).find((k) => k.name === "aws-key")!;
    assert.equal(primary.masterUserSecretKmsKeyId, `arn:aws:mock:eu-west-1:123456789012:kms/key/${key.name}`);
    assert.equal(primary.passwordWo, undefined);
    assert.equal(primary.passwordWoVersion, undefined);
    const before = plain(primaryOf(generated).inputs);
    assert.equal(before.manageMasterUserPassword, undefined);
    assert.ok(isSecretValue(primaryOf(generated).inputs.passwordWo), "generated mode: passwordWo, secret");
  });

  it("the schema step logs in with the value of RDS's secret, read by its ARN, and holds it only as a secret", () => {
    const reads = managed.calls.filter((c) => c.token === GET_SECRET_VERSION);
    assert.deepEqual(
      reads.map((c) => c.inputs.secretId),
      [MANAGED_ARN],
    );
    const schema = schemaOf(managed);
    assert.ok(isSecretValue(schema.inputs.admin), "admin input is secret");
    assert.deepEqual(
      { user: plain(schema.inputs).admin.user, password: plain(schema.inputs).admin.password },
      { user: "postgres", password: MANAGED_PASSWORD },
    );
    for (const r of managed.resources)
      assert.ok(!withoutSecrets(r.inputs).includes(MANAGED_PASSWORD), `${r.name} holds it in plaintext`);
    assert.ok(!JSON.stringify(managed.outputs).includes(MANAGED_PASSWORD), "no output carries it");
    assert.deepEqual(
      generated.calls.filter((c) => c.token === GET_SECRET_VERSION),
      [],
      "generated mode reads no secret",
    );
  });

  it("RDS's secret replaces ours as postgres/admin", () => {
    const names = (run: StackRun) => ofType(run, T.secret).map((s) => plain(s.inputs).name);
    assert.ok(!names(managed).includes("offthegrid-prod/postgres/admin"), names(managed).join(", "));
    assert.ok(names(generated).includes("offthegrid-prod/postgres/admin"));
    assert.equal(managed.outputs.awsResources.secretArns["postgres/admin"], MANAGED_ARN);
  });
});
