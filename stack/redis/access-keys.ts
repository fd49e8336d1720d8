// Keys that shape what the application's Redis user may do, on every platform (dev ACL and ElastiCache RBAC alike).
import {
  DEFAULT_APP_KEY_PATTERNS,
  KEY_PATTERN_RULE,
  MAX_APP_KEY_PATTERNS,
  keyPatternsProblems,
} from "./key-patterns";
import { InvalidValue, KeySpec, boolean, integer } from "../config/key-spec";

/** Pulumi hands array config over as a JSON string. */
function keyPatterns(raw: string): string[] {
  const allowed = `a list of 1 to ${MAX_APP_KEY_PATTERNS} distinct patterns, each ${KEY_PATTERN_RULE}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidValue(allowed);
  }
  if (!Array.isArray(parsed) || parsed.some((p) => typeof p !== "string")) throw new InvalidValue(allowed);
  const problems = keyPatternsProblems(parsed as string[]);
  if (problems.length > 0) throw new InvalidValue(`${allowed} (${problems.join("; ")})`);
  return parsed as string[];
}

export const redisAccessKeys = {
  redisAppKeyPatterns: {
    type: "array",
    scope: "all",
    default: [...DEFAULT_APP_KEY_PATTERNS],
    parse: keyPatterns,
    description:
      "Key patterns (ACL globs) the Redis app user may read and write: the seed's families and the Off the Grid " +
      "API's own (docs/schema.md lists them). Replacing the list replaces the default: keep the families the API " +
      "uses. A family name and `:` first; `*` alone and the operators' `ops:` family are refused.",
  } satisfies KeySpec<string[]>,
  redisAppScan: {
    type: "boolean",
    scope: "all",
    default: true,
    parse: boolean,
    description:
      "Grant the app user SCAN (the API's session cleanup and stats enumerate `session:*` with SCAN MATCH). " +
      "SCAN is keyspace-wide under Redis ACLs: it lists every key name on the instance, other families' " +
      "included. Keep it on only for an instance dedicated to this application; login never needs it.",
  } satisfies KeySpec<boolean>,
  redisAdminRetiredEpoch: {
    type: "integer",
    scope: "all",
    default: 0,
    parse: integer(0, 1_000_000),
    description:
      "Set equal to redisAdminPasswordEpoch once clients use the new password, to drop the previous one (until " +
      "then both are accepted; the next rotation drops it anyway).",
  } satisfies KeySpec<number>,
  redisAppRetiredEpoch: {
    type: "integer",
    scope: "all",
    default: 0,
    parse: integer(0, 1_000_000),
    description:
      "Set equal to redisAppPasswordEpoch once the app uses the new password, to drop the previous one (until " +
      "then both are accepted; the next rotation drops it anyway).",
  } satisfies KeySpec<number>,
};
