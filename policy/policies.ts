// The pack's rules, in the order docs and reports list them: one file per concern (kit.ts holds what they
// share). This module only composes them, so tests and the offline runner can evaluate the rules without
// constructing the pack.
import { postgresPolicies } from "./postgres";
import { backupPolicies } from "./backup";
import { monitoringPolicies } from "./monitoring";
import { credentialsPolicies } from "./credentials";
import { redisPolicies } from "./redis";
import { networkPolicies } from "./network";
import { localPolicies } from "./local";
import { awsPolicies } from "./aws";

export * from "./postgres";
export * from "./backup";
export * from "./monitoring";
export * from "./credentials";
export * from "./redis";
export * from "./redis-eviction";
export * from "./network";
export * from "./local";
export * from "./aws";

export const policies = [
  ...postgresPolicies,
  ...backupPolicies,
  ...monitoringPolicies,
  ...credentialsPolicies,
  ...redisPolicies,
  ...networkPolicies,
  ...localPolicies,
  ...awsPolicies,
];
