// policy/network.ts, aws-stack.ts, aws-operations.ts: each rule passes a valid resource set and catches one changed
// field (cases in test/support/policy-cases-aws.ts).
import { operationCases } from "../support/policy-cases-aws";
import { itCatchesEach } from "../support/policy-fixtures";

describe("policy pack (offline CrossGuard evaluation)", function () {
  itCatchesEach(operationCases);
});
