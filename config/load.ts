// The edge: the only place that reads Pulumi's config store. Everything downstream gets a typed StackConfig.
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "./types";
import { validateConfig } from "./validate";

export function loadConfig(): StackConfig {
  return validateConfig(pulumi.runtime.allConfig(), pulumi.getProject(), pulumi.getStack());
}
