import { strict as assert } from "node:assert";
import { validateConfig } from "../../stack/config/validate";
import { PROJECT } from "../../testbed/stack";
import { DEFAULT_APP_ACCESS, appPermissions } from "../../stack/redis/access";
import {
  DEFAULT_APP_KEY_PATTERNS,
  DEFAULT_CACHE_KEY_PATTERNS,
  keyPatternProblem,
  overlappingPatterns,
  patternsOverlap,
} from "../../stack/redis/key-patterns";
import { dev, problemsOf, staging } from "../support/config-cases";

const KEY = "offthegrid-database:redisAppKeyPatterns";

describe("redisAppKeyPatterns / redisAppScan (pure)", () => {
  it("defaults to the state families in the state store and the cache families in the cache, on dev and AWS", () => {
    for (const cfg of [
      validateConfig(dev(), PROJECT, "dev"),
      validateConfig(staging(), PROJECT, "staging"),
    ]) {
      assert.deepEqual(cfg.redisAccess.keyPatterns, DEFAULT_APP_KEY_PATTERNS);
      assert.deepEqual(cfg.redisCacheAccess.keyPatterns, DEFAULT_CACHE_KEY_PATTERNS);
      assert.equal(cfg.redisAccess.scan, true);
      assert.equal(cfg.redisCacheAccess.scan, true);
    }
    // What the eviction invariant protects lives in the noeviction store, never in the cache.
    for (const family of [
      "session:*",
      "user:*:sessions",
      "user:*:connections",
      "ws_connections:*",
      "ws:*",
      "jwt_blacklist:*",
      "rate_limit:*",
      "grid:*",
    ]) {
      assert.ok(DEFAULT_APP_KEY_PATTERNS.includes(family), family);
      assert.ok(!DEFAULT_CACHE_KEY_PATTERNS.includes(family), family);
    }
    for (const family of ["cache:*", "grid_cache:*", "user_cache:*", "temp:*", "user:*:recent_activities"])
      assert.ok(DEFAULT_CACHE_KEY_PATTERNS.includes(family), family);
    assert.deepEqual(overlappingPatterns(DEFAULT_APP_KEY_PATTERNS, DEFAULT_CACHE_KEY_PATTERNS), []);
  });

  it("accepts a custom list and the SCAN switch", () => {
    const cfg = validateConfig(
      dev({ redisAppKeyPatterns: '["session:*","tenant:{tenant}:*"]', redisAppScan: "false" }),
      PROJECT,
      "dev",
    );
    assert.deepEqual(cfg.redisAccess, { keyPatterns: ["session:*", "tenant:{tenant}:*"], scan: false });
    assert.equal(cfg.redisCacheAccess.scan, false, "redisAppScan applies to both stores");
    assert.ok(!appPermissions(cfg.redisAccess).split(" ").includes("+scan"));
    assert.ok(appPermissions(DEFAULT_APP_ACCESS).split(" ").includes("+scan"));
  });

  // [pattern list, fragment of the message]
  const invalid: [string, RegExp][] = [
    ['["*"]', /"\*" is not a Redis key pattern that starts with a family name/],
    ['["*:sessions"]', /"\*:sessions" is not/],
    ['["session"]', /"session" is not/],
    ['["session:* +@all"]', /"session:\* \+@all" is not/],
    ['["session:*","~*"]', /item 1: "~\*" is not/],
    ['["user:?"]', /"user:\?" is not/],
    ['["ops:*"]', /reaches into the operators' reserved family "ops:"/],
    ['["session:*","session:*"]', /item 1: "session:\*" is listed twice/],
    ["[]", /1 to 64 patterns are needed, 0 given/],
    ['"session:*"', /a list of 1 to 64 distinct patterns/],
    ["[1]", /a list of 1 to 64 distinct patterns/],
  ];
  for (const [raw, message] of invalid) {
    it(`refuses ${raw}, naming the key and what is allowed`, () => {
      const problems = problemsOf(dev({ redisAppKeyPatterns: raw }));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.ok(problems[0].startsWith(`Invalid value for ${KEY}: `), problems[0]);
      assert.match(problems[0], /Allowed values are: a list of 1 to 64 distinct patterns/);
      assert.match(problems[0], message);
    });
  }

  it("refuses a bad pattern in the renderer too (no ACL rule injection even without the config layer)", () => {
    assert.throws(
      () => appPermissions({ keyPatterns: ["session:* +@all"], scan: false }),
      /not a Redis key pattern/,
    );
    assert.equal(keyPatternProblem("user:*:recent_activities"), undefined);
  });

  for (const [raw, message] of invalid) {
    it(`refuses ${raw} as redisCacheKeyPatterns too, naming that key`, () => {
      const problems = problemsOf(dev({ redisCacheKeyPatterns: raw }));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.ok(problems[0].startsWith(`Invalid value for ${CACHE_KEY}: `), problems[0]);
      assert.match(problems[0], message);
    });
  }
});

const CACHE_KEY = "offthegrid-database:redisCacheKeyPatterns";

describe("the state/cache split: no key may belong to both stores (pure)", () => {
  // [a, b, overlap?] with the witness key in the comment where they do.
  const pairs: [string, string, boolean][] = [
    ["session:*", "cache:*", false],
    ["user:*:sessions", "user:*:recent_activities", false],
    ["user:*:sessions", "user:*", true], // user:x:sessions
    ["user:*", "user:*:recent_activities", true],
    ["cache:*", "cache:{tenant}:*", true], // cache:{tenant}:x
    ["cache:a*", "cache:*b", true], // cache:ab
    ["cache:a*", "cache:b*", false],
    ["grid:*", "grid_cache:*", false], // the ":" after "grid" never matches "_"
    ["ws:*", "ws_connections:*", false],
    ["a:*x*", "a:*y*", true], // a:xy
    ["a:x", "a:x", true],
    ["a:x", "a:xx", false],
    ["a:*:*:b", "a:c:*", true], // a:c:d:b
  ];
  for (const [a, b, expected] of pairs) {
    it(`"${a}" and "${b}" ${expected ? "overlap" : "do not overlap"}, in either order`, () => {
      assert.equal(patternsOverlap(a, b), expected);
      assert.equal(patternsOverlap(b, a), expected);
    });
  }

  it("decides long patterns without blowing up (memoized walk)", () => {
    const a = `a:${"*x".repeat(45)}`;
    const b = `a:${"x*".repeat(45)}y`;
    assert.equal(patternsOverlap(a, b), false);
    assert.equal(patternsOverlap(a, `${b.slice(0, -1)}x`), true);
  });

  it("refuses a state family in the cache list, naming both keys and both patterns", () => {
    const problems = problemsOf(
      dev({ redisCacheKeyPatterns: JSON.stringify([...DEFAULT_CACHE_KEY_PATTERNS, "jwt_blacklist:*"]) }),
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^Invalid values for offthegrid-database:redisAppKeyPatterns and offthegrid-database:redisCacheKeyPatterns: "jwt_blacklist:\*" and "jwt_blacklist:\*" match the same keys/,
    );
    assert.match(problems[0], /remove or narrow/);
  });

  it("refuses a widening glob on either side, on AWS too", () => {
    const problems = problemsOf(staging({ redisAppKeyPatterns: '["session:*","user:*"]' }));
    assert.deepEqual(
      problems.map((p) => /"([^"]+)" and "([^"]+)" match/.exec(p)?.slice(1)),
      [["user:*", "user:*:recent_activities"]],
    );
  });
});
