// The pack's property → config-key tables, composed from the rule files that declare them beside their
// rules (policy/fixes.ts): no key is named here, so a config option the pack checks is named in one policy
// file. Only the tests import this: test/policy/config-keys.test.ts proves each key by changing it in the
// prod stack under mocks, and that two files declaring the same property agree.
import { Fixes, PropertyTable, fixes } from "./fixes";
import { postgresFixes } from "./postgres";
import { backupFixes } from "./backup";
import { monitoringFixes } from "./monitoring";
import { credentialsFixes } from "./credentials";
import { redisFixes } from "./redis";
import { redisEvictionFixes } from "./redis-eviction";
import { networkFixes } from "./network";
import { localFixes } from "./local";
import { awsFixes } from "./aws";

/** Every rule file's tables, in the pack's order. */
export const FIXES: readonly Fixes[] = [
  postgresFixes,
  backupFixes,
  monitoringFixes,
  credentialsFixes,
  redisFixes,
  redisEvictionFixes,
  networkFixes,
  localFixes,
  awsFixes,
];

/** The union by type, then property; where files disagree the first wins (the agreement test fails then). */
const union = (tables: readonly PropertyTable[]): PropertyTable => {
  const all: Record<string, Record<string, string>> = {};
  for (const table of tables)
    for (const [type, byProperty] of Object.entries(table))
      for (const [property, value] of Object.entries(byProperty)) (all[type] ??= {})[property] ??= value;
  return all;
};

export const PROPERTY_KEYS = union(FIXES.map((f) => f.propertyKeys));
export const CODE_SET = union(FIXES.map((f) => f.codeSet));
export const { configKeyOf } = fixes("policy/config-keys.ts", {
  propertyKeys: PROPERTY_KEYS,
  codeSet: CODE_SET,
  imageKeys: FIXES.flatMap((f) => f.imageKeys),
});
