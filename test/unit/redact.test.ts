import { strict as assert } from "node:assert";
import { redactSecrets } from "../../cli/shared/redact";

describe("redactSecrets (cli/shared/redact.ts): what every command prints", () => {
  for (const [text, expected] of [
    ["postgresql://user:pw@host/db", "postgresql://user:***@host/db"],
    ["got postgres://u:p%40ss@h:5432/d?sslmode=require", "got postgres://u:***@h:5432/d?sslmode=require"],
    [
      "redis://:token@127.0.0.1:6379/0 and rediss://default:t2@h",
      "redis://:***@127.0.0.1:6379/0 and rediss://default:***@h",
    ],
    // path.resolve keeps one slash; an unencoded "@" in the password is still inside the word.
    [
      "Migration directory /tmp/postgresql:/u:p@ss@h/db does not exist",
      "Migration directory /tmp/postgresql:/u:***@h/db does not exist",
    ],
    [
      "POSTGRESQL://u@h/d?sslmode=disable&password=pw&x=1",
      "POSTGRESQL://u@h/d?sslmode=disable&password=***&x=1",
    ],
    ["host=h password=pw user=u", "host=h password=*** user=u"],
  ])
    it(`${text} → ${expected}`, () => assert.equal(redactSecrets(text), expected));

  it("leaves text without credentials as it is", () => {
    for (const text of [
      "postgresql://owner@127.0.0.1/db",
      "http://u:p@h (not a database URL)",
      "lock_timeout 200 ms",
    ])
      assert.equal(redactSecrets(text), text);
  });
});
