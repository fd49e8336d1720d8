// The pack's rules, in the order docs and reports list them. Each concern has its own file (kit.ts holds what they
// share); this module only composes them, so tests and the offline runner can evaluate the rules without
// constructing the pack.
import { awsOperationPolicies } from "./aws-operations";
import { awsOptionPolicies } from "./aws-options";
import { awsReviewPolicies } from "./aws-review";
import { awsStackPolicies } from "./aws-stack";
import { dockerPolicies } from "./docker";
import { elasticachePolicies } from "./elasticache";
import { networkPolicies } from "./network";
import { rdsPolicies } from "./rds";

export * from "./aws-operations";
export * from "./aws-options";
export * from "./aws-review";
export * from "./aws-stack";
export * from "./docker";
export * from "./elasticache";
export * from "./network";
export * from "./rds";

export const policies = [
  ...rdsPolicies,
  ...elasticachePolicies,
  ...networkPolicies,
  ...dockerPolicies,
  ...awsStackPolicies,
  ...awsOperationPolicies,
  ...awsReviewPolicies,
  ...awsOptionPolicies,
];
