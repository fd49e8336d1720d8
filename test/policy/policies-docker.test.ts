// policy/docker.ts: each rule passes a valid resource and catches one changed field; the cases are in
// test/support/policy-cases.ts.
import { dockerCases } from "../support/policy-cases";
import { itCatchesEach } from "../support/policy-fixtures";

describe("policy pack (offline CrossGuard evaluation)", function () {
  itCatchesEach(dockerCases);
});
