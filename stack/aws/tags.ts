// Tags on every AWS resource, passed explicitly (not provider defaultTags) so policies and tests see them.
import type { AwsStackConfig } from "../config/types";
import { stackPrefix } from "./identifiers";

export type Tags = Readonly<Record<string, string>>;

export function stackTags(config: AwsStackConfig): Tags {
  return {
    Project: config.project,
    Environment: config.environment,
    Owner: config.owner,
    Stack: config.stack,
    ManagedBy: "pulumi",
  };
}

export function namePrefix(config: AwsStackConfig): string {
  return stackPrefix(config.stack);
}
