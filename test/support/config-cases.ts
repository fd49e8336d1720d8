// Shared by the config tests: a shipped stack file with overrides, and the problems validation reports for
// it.
import { strict as assert } from "node:assert";
import { ConfigError, validateConfig } from "../../stack/config/validate";
import { PROJECT, stackConfig } from "../../testbed/stack";

type Overrides = Record<string, string | undefined>;

export const dev = (overrides: Overrides = {}) => stackConfig("Pulumi.dev.yaml", overrides);
export const prod = (overrides: Overrides = {}) => stackConfig("Pulumi.prod.yaml", overrides);
export const staging = (overrides: Overrides = {}) => stackConfig("examples/Pulumi.staging.yaml", overrides);

/** A complete cross-region read replica: region, VPC and one subnet per zone there. */
export const CROSS_REGION_REPLICA: Overrides = {
  postgresCrossRegionReplicaRegion: "eu-central-1",
  postgresCrossRegionReplicaVpcId: "vpc-0fedcba9876543210",
  postgresCrossRegionReplicaSubnets: JSON.stringify([
    "subnet-0aaaaaaaaaaaaaaa1=eu-central-1a",
    "subnet-0aaaaaaaaaaaaaaa2=eu-central-1b",
  ]),
};

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
