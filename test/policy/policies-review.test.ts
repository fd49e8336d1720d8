// policy/aws-review.ts and aws-options.ts (#19): each rule passes a valid resource set and catches one changed field
// (cases in test/support/policy-cases-aws.ts), and the review rules' second conditions.
import { strict as assert } from "node:assert";
import { reviewCases } from "../support/policy-cases-aws";
import { R, itCatchesEach, managedPrimary, run, storageAlarm, tags } from "../support/policy-fixtures";

describe("policy pack (offline CrossGuard evaluation)", function () {
  itCatchesEach(reviewCases);

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

  it("rds-blue-green-compatible also refuses blue/green with an RDS-managed master password (#19)", async () => {
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
