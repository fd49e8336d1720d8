// Which Redis keys the application user may touch: its key families as ACL glob patterns. Pure; shared by the
// config key `redisAppKeyPatterns` (validation) and the dev ACL / ElastiCache access string (rendering).

/**
 * The default families. The seed's six (session:{user_id}, user_grids:{user_id}, grid_cache:{grid_id},
 * ws_connections:{user_id}, rate_limit:{ip_address}, temp:{key}) and those the Off the Grid API really uses:
 * user:{id}:sessions|connections|recent_activities, grid:{id}, ws:{user}:{conn}, jwt_blacklist:{jti},
 * activity:{user}:{type}, cache:{key}, rate_limit:{user}:{type} (covered by rate_limit:*) and the original
 * redis.conf's user_cache:{wallet}. Without these the API's login path gets NOPERM.
 */
export const DEFAULT_APP_KEY_PATTERNS: readonly string[] = [
  "session:*",
  "user_grids:*",
  "grid_cache:*",
  "ws_connections:*",
  "rate_limit:*",
  "temp:*",
  "user:*:sessions",
  "user:*:connections",
  "user:*:recent_activities",
  "grid:*",
  "ws:*",
  "jwt_blacklist:*",
  "activity:*",
  "cache:*",
  "user_cache:*",
];

/** Families reserved for operators (the admin user); no app pattern may reach into them. */
export const ADMIN_KEY_FAMILIES: readonly string[] = ["ops"];

export const MAX_APP_KEY_PATTERNS = 64;

// A literal family name and ":" first, so a pattern can never be `*` (every key) or match another family's
// keys by a leading wildcard. After it, only characters that key names use plus `*`: no `?`, `[…]` or `\`
// (glob features nobody needs here and that make overlap hard to judge), and no space, `~`, `%`, `&`, `+`,
// `-@`, `#`, `>`, `<`: the pattern is spliced into an ACL rule string, where a space would start a new rule
// (`session:* +@all`).
const PATTERN = /^([a-z][a-z0-9_]{0,62}):[A-Za-z0-9_:.{}*-]{0,100}$/;

export const KEY_PATTERN_RULE =
  'a Redis key pattern that starts with a family name and ":" (lower-case letter, then letters, digits or _), ' +
  "followed by letters, digits, _ : . - { } or * (e.g. session:* or user:*:sessions); never * alone, no ? [ ] \\ " +
  `or spaces, and not in the operators' reserved ${ADMIN_KEY_FAMILIES.map((f) => `${f}:`).join(", ")} family`;

/** The problem with one pattern, or undefined when it is acceptable. */
export function keyPatternProblem(pattern: string): string | undefined {
  const match = PATTERN.exec(pattern);
  if (!match) return `"${pattern}" is not ${KEY_PATTERN_RULE}`;
  if (ADMIN_KEY_FAMILIES.includes(match[1])) {
    return `"${pattern}" reaches into the operators' reserved family "${match[1]}:"`;
  }
  return undefined;
}

/** Every problem with a list of patterns (empty when the list is acceptable). */
export function keyPatternsProblems(patterns: readonly string[]): string[] {
  const problems: string[] = [];
  if (patterns.length === 0 || patterns.length > MAX_APP_KEY_PATTERNS) {
    problems.push(`1 to ${MAX_APP_KEY_PATTERNS} patterns are needed, ${patterns.length} given`);
  }
  patterns.forEach((p, i) => {
    const problem = keyPatternProblem(p);
    if (problem) problems.push(`item ${i}: ${problem}`);
    if (patterns.indexOf(p) !== i) problems.push(`item ${i}: "${p}" is listed twice`);
  });
  return problems;
}
