// A stack name AWS cannot use is refused with the config (so `preview` refuses it), naming the stack, the
// derived AWS name and its limit. The cases come from the list of names the stack derives
// (stack/aws/identifiers.ts, which the components take their names from): for each, the longest stack name it
// allows passes and one character more fails.
import { strict as assert } from "node:assert";
import { derivedNames, stackNameProblems } from "../../stack/aws/identifiers";
import { ConfigError, validateConfig } from "../../stack/config/validate";
import { PROJECT } from "../../testbed/stack";
import { prod } from "../support/config-cases";

/** The config problems of prod's stack file under another stack name, or [] when it validates. */
function problemsAs(stack: string, overrides: Record<string, string> = {}): string[] {
  try {
    validateConfig(prod(overrides), PROJECT, stack);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  }
}

describe("AWS stack names (the names the stack derives, and AWS's limits on them)", () => {
  const REPLICAS = 5; // postgresReplicaCount's maximum: the most names

  it("each derived name: the longest stack name it allows passes, one character more is refused naming it", () => {
    for (const n of derivedNames("x", REPLICAS)) {
      const room = n.max - (n.name.length - 1);
      const fits = "a".repeat(room);
      const over = "a".repeat(room + 1);
      const longer = stackNameProblems(over, REPLICAS).join("\n");
      assert.ok(
        derivedNames(fits, REPLICAS).find((d) => d.what === n.what)!.name.length <= n.max,
        `${n.what}: ${room} characters fit`,
      );
      assert.match(
        longer,
        new RegExp(
          `makes the ${n.what} "offthegrid-${over}[^"]*" ${n.max + 1} characters long; AWS allows at most ${n.max}`,
        ),
      );
    }
  });

  it("the config refuses a name one over the tightest limit and accepts the tightest fit, through validateConfig", () => {
    const tightest = Math.min(...derivedNames("x", REPLICAS).map((n) => n.max - (n.name.length - 1)));
    assert.deepEqual(problemsAs("a".repeat(tightest), { postgresReplicaCount: String(REPLICAS) }), []);
    const problems = problemsAs("a".repeat(tightest + 1), { postgresReplicaCount: String(REPLICAS) });
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      new RegExp(`^Stack name "a{${tightest + 1}}" makes the .* at most ${tightest} characters`),
    );
    assert.match(problems[0], /`pulumi stack rename`/);
  });

  it("refuses characters AWS does not allow in these names, and accepts the shipped stacks' names", () => {
    for (const bad of ["Prod", "prod_eu", "prod.eu", "prod--eu", "prod-", "-prod"])
      assert.match(
        problemsAs(bad).join("\n"),
        new RegExp(
          `Stack name "${bad.replace(/[.]/g, "\\.")}" cannot name AWS resources: .*lowercase letters, digits and single hyphens`,
        ),
        bad,
      );
    for (const good of ["prod", "staging", "prod-eu-1", "p1"]) assert.deepEqual(problemsAs(good), [], good);
  });
});
