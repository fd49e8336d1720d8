// Every rule of the pack, concern by concern in the pack's order (policy/policies.ts): passes a valid
// resource set and catches one changed field (cases in test/support/policy-cases*.ts; policies-pack.test.ts
// checks that every rule has one), plus the second conditions of the storage-alarm and blue/green rules.
import { strict as assert } from "node:assert";
import { policies } from "../../policy/policies";
import { dockerCases, elasticacheCases, rdsCases } from "../support/policy-cases";
import { awsCases } from "../support/policy-cases-aws";
import { R, itCatchesEach, managedPrimary, run, storageAlarm, tags } from "../support/policy-fixtures";

const cases = [...rdsCases, ...elasticacheCases, ...dockerCases, ...awsCases];
const order = policies.map((p) => p.name);

describe("policy pack (offline CrossGuard evaluation)", function () {
  itCatchesEach([...cases].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0])));

  it("requires the notification category too: RDS-EVENT-0225 (nearing maxAllocatedStorage) is filed there, not under low storage", async () => {
    const onlyLowStorage = R("aws:rds/eventSubscription:EventSubscription", "events", {
      eventCategories: ["low storage"],
      tags,
    });
    const violations = (await run([...storageAlarm(10 * 1024 ** 3), onlyLowStorage])).filter(
      (v) => v.policy === "cloudwatch-rds-storage-alarm",
    );
    assert.equal(violations.length, 1);
    assert.match(violations[0].message, /carries "notification": .*RDS-EVENT-0225/);
  });

  it("rds-blue-green-compatible also refuses blue/green with an RDS-managed master password", async () => {
    const bg = { blueGreenUpdate: { enabled: true } };
    const caught = async (props: Record<string, unknown>) =>
      (await run([R("aws:rds/instance:Instance", "db", props)])).filter(
        (v) => v.policy === "rds-blue-green-compatible",
      );
    assert.deepEqual(await caught({ ...managedPrimary, ...bg, manageMasterUserPassword: false }), []);
    const violations = await caught({ ...managedPrimary, ...bg });
    assert.equal(violations.length, 1);
    assert.match(violations[0].message, /updates through blue\/green with manageMasterUserPassword/);
  });
});
