// Through the prod stack under mocks: IAM database authentication is its own login role, and the
// stack creates (and outputs) the rds-db:connect policy for it. Failed before: the read-only group itself was
// the IAM role and no policy existed.
import { strict as assert } from "node:assert";
import { digest, plain } from "../../testbed/mocks";
import { StackRun, ofType } from "../../testbed/stack";
import { rdsConnectArns, rdsConnectPolicy } from "../../stack/postgres/iam-connect-arns";
import { T, primaryOf, prodStack, replicasOf } from "../support/prod-stack";

const POLICY = "aws:iam/policy:Policy";
const schemaOf = (run: StackRun) =>
  plain(run.resources.find((r) => r.type.includes("SchemaMigrations"))!.inputs);

describe("prod stack: IAM database authentication", function () {
  let on: StackRun;
  let off: StackRun;
  before(async () => {
    on = await prodStack({ postgresIamAuth: "true" });
    off = await prodStack();
  });

  it("the schema step creates offthegrid_readonly_iam as the IAM login; readonly keeps its password secret", () => {
    assert.deepEqual(schemaOf(on).iamLogins, [{ name: "offthegrid_readonly_iam", role: "readonly" }]);
    assert.deepEqual(schemaOf(off).iamLogins, []);
    const secret = ofType(on, T.secretVersion).find((s) => s.name.endsWith("-postgres-readonly"))!;
    const value = JSON.parse(plain(secret.inputs).secretString);
    assert.match(value.username, /^offthegrid_readonly_[ab]$/);
    assert.ok(value.password.length >= 16, "the read-only secret still carries a password");
  });

  it("one policy allows rds-db:connect as that user on the primary and every replica (their DbiResourceIds)", () => {
    const policies = ofType(on, POLICY);
    assert.equal(policies.length, 1, policies.map((p) => p.name).join(", "));
    const instances = [primaryOf(on), ...replicasOf(on)];
    assert.equal(instances.length, 3);
    const doc = JSON.parse(plain(policies[0].inputs).policy);
    assert.equal(doc.Statement.length, 1);
    assert.equal(doc.Statement[0].Action, "rds-db:connect");
    // The mock's resourceId output is derived from the instance's resource name (testbed/mocks.ts).
    assert.deepEqual(
      doc.Statement[0].Resource,
      instances.map(
        (i) =>
          `arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-${digest(i.name).toUpperCase()}/offthegrid_readonly_iam`,
      ),
    );
    assert.deepEqual(ofType(off, POLICY), []);
  });

  it("outputs the policy ARN and the database user for the app's role", () => {
    assert.deepEqual(on.outputs.awsResources.postgresIamAuth, {
      policyArn: "arn:aws:mock:eu-west-1:123456789012:iam/policy/aws-iam-auth",
      dbUser: "offthegrid_readonly_iam",
    });
    assert.equal(off.outputs.awsResources.postgresIamAuth, undefined);
  });
});

describe("rds-db:connect ARNs (stack/postgres/iam-connect-arns.ts)", () => {
  it("names each instance by region and DbiResourceId, and refuses a user that is no plain role name", () => {
    const arns = rdsConnectArns(
      "aws-us-gov",
      "123456789012",
      [
        { region: "us-gov-west-1", resourceId: "db-ABC" },
        { region: "us-gov-east-1", resourceId: "db-DEF" },
      ],
      "offthegrid_readonly_iam",
    );
    assert.deepEqual(arns, [
      "arn:aws-us-gov:rds-db:us-gov-west-1:123456789012:dbuser:db-ABC/offthegrid_readonly_iam",
      "arn:aws-us-gov:rds-db:us-gov-east-1:123456789012:dbuser:db-DEF/offthegrid_readonly_iam",
    ]);
    assert.deepEqual(rdsConnectPolicy(arns).Statement[0].Resource, arns);
    assert.throws(() => rdsConnectArns("aws", "1", [], "x/*"), /Invalid database user/);
  });
});
