// Shared by the config tests: a shipped stack file with overrides, and the problems validation reports for it.
import { strict as assert } from "node:assert";
import { ConfigError, validateConfig } from "../../config/validate";
import { PROJECT, stackConfig } from "../../harness/stack";

type Overrides = Record<string, string | undefined>;

export const dev = (overrides: Overrides = {}) => stackConfig("Pulumi.dev.yaml", overrides);
export const prod = (overrides: Overrides = {}) => stackConfig("Pulumi.prod.yaml", overrides);
export const staging = (overrides: Overrides = {}) => stackConfig("examples/Pulumi.staging.yaml", overrides);

/** The problems a rejected config reports; fails the test if the config is accepted. */
export function problemsOf(config: Record<string, string>): string[] {
  try {
    validateConfig(config, PROJECT, "test");
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return [...err.problems];
  }
  assert.fail("expected the config to be rejected");
}
