// Which Redis keys the application user may touch in each store: its key families as ACL glob patterns, split
// between the state store (noeviction) and the cache store (allkeys-lru). Pure; shared by the config keys
// `redisAppKeyPatterns` / `redisCacheKeyPatterns` (validation) and the dev ACL / ElastiCache access strings
// (rendering).

/**
 * The state families: what must not vanish while it is valid, so they live in the `noeviction` store
 * (redisAppKeyPatterns). Sessions and their per-user indexes (a lost one logs a user out), websocket
 * connection sets (a lost one drops live pushes), rate-limit windows (a lost one resets the limit),
 * revocations (a lost one accepts a revoked token again) and the grid hash (live game state, not a copy of a
 * PostgreSQL row). Names: the seed's six and those the Off the Grid API really uses (without them its login
 * path gets NOPERM).
 */
export const DEFAULT_APP_KEY_PATTERNS: readonly string[] = [
  "session:*",
  "user:*:sessions",
  "user:*:connections",
  "ws_connections:*",
  "ws:*",
  "rate_limit:*",
  "jwt_blacklist:*",
  "grid:*",
];

/**
 * The cache families: each can be rebuilt from PostgreSQL or simply lost, so they live in the seed's
 * `allkeys-lru` store (redisCacheKeyPatterns), where a flood evicts only its own kind.
 */
export const DEFAULT_CACHE_KEY_PATTERNS: readonly string[] = [
  // Cached JSON (leaderboards, API responses), 300 s TTLs: a miss recomputes it.
  "cache:*",
  // The API's cached grid view, rebuilt from the grids table on a miss.
  "grid_cache:*",
  // The wallet's profile cache (the original redis.conf's family), rebuilt from users on a miss.
  "user_cache:*",
  // Scratch values with 30 s TTLs: lost ones are retried by whoever wrote them.
  "temp:*",
  // The user's grid ids: a copy of the grids table's rows, refilled on a miss.
  "user_grids:*",
  // Per-type activity counters for stats pages: PostgreSQL keeps the activities themselves.
  "activity:*",
  // The capped 50-item recent-activity list, a display copy of PostgreSQL's rows.
  "user:*:recent_activities",
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

/**
 * Whether some key matches both globs. Patterns hold literal characters and `*` only (PATTERN refuses `?`,
 * `[…]` and `\\`), so two patterns overlap exactly when their `*`s can absorb each other's differences: a
 * walk over both strings that lets each `*` end before or after the other's next character. Memoized on the
 * two positions (at most 101 × 101 states).
 */
export function patternsOverlap(a: string, b: string): boolean {
  const seen = new Map<number, boolean>();
  const walk = (i: number, j: number): boolean => {
    const k = i * 1024 + j;
    const known = seen.get(k);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === "*") result = walk(i + 1, j) || (j < b.length && walk(i, j + 1));
    else if (b[j] === "*") result = walk(i, j + 1) || (i < a.length && walk(i + 1, j));
    else result = i < a.length && j < b.length && a[i] === b[j] && walk(i + 1, j + 1);
    seen.set(k, result);
    return result;
  };
  return walk(0, 0);
}

/**
 * Pairs of a state pattern and a cache pattern that some key matches: such a key could be written into
 * either store, so the split would not say where it lives (and a state key could land in the LRU cache).
 */
export function overlappingPatterns(
  state: readonly string[],
  cache: readonly string[],
): [state: string, cache: string][] {
  return state.flatMap((s) =>
    cache.filter((c) => patternsOverlap(s, c)).map((c) => [s, c] as [string, string]),
  );
}
