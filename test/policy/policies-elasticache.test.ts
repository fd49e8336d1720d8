// policy/elasticache.ts: each rule passes a valid resource and catches one changed field; the cases are in
// test/support/policy-cases.ts.
import { elasticacheCases } from "../support/policy-cases";
import { itCatchesEach } from "../support/policy-fixtures";

describe("policy pack (offline CrossGuard evaluation)", function () {
  itCatchesEach(elasticacheCases);
});
