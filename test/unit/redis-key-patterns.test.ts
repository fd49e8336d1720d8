import { strict as assert } from "node:assert";
import { validateConfig } from "../../stack/config/validate";
import { PROJECT } from "../../testbed/stack";
import { DEFAULT_APP_ACCESS, appPermissions } from "../../stack/redis/access";
import { DEFAULT_APP_KEY_PATTERNS, keyPatternProblem } from "../../stack/redis/key-patterns";
import { dev, problemsOf, staging } from "../support/config-cases";

const KEY = "offthegrid-database:redisAppKeyPatterns";

describe("redisAppKeyPatterns / redisAppScan (pure)", () => {
  it("defaults to the seed's and the API's families, with SCAN, on dev and AWS alike", () => {
    for (const cfg of [
      validateConfig(dev(), PROJECT, "dev"),
      validateConfig(staging(), PROJECT, "staging"),
    ]) {
      assert.deepEqual(cfg.redisAccess.keyPatterns, DEFAULT_APP_KEY_PATTERNS);
      assert.equal(cfg.redisAccess.scan, true);
    }
    for (const family of ["session:*", "user:*:sessions", "jwt_blacklist:*", "rate_limit:*", "user_cache:*"])
      assert.ok(DEFAULT_APP_KEY_PATTERNS.includes(family), family);
  });

  it("accepts a custom list and the SCAN switch", () => {
    const cfg = validateConfig(
      dev({ redisAppKeyPatterns: '["session:*","cache:{tenant}:*"]', redisAppScan: "false" }),
      PROJECT,
      "dev",
    );
    assert.deepEqual(cfg.redisAccess, { keyPatterns: ["session:*", "cache:{tenant}:*"], scan: false });
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
});
