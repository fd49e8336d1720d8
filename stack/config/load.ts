// The edge: the only place that reads Pulumi's config store. Everything downstream gets a typed StackConfig.
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "./types";
import { ConfigError, validateConfig } from "./validate";

export function loadConfig(): StackConfig {
  try {
    return validateConfig(pulumi.runtime.allConfig(), pulumi.getProject(), pulumi.getStack());
  } catch (err) {
    // The language runtime prints a RunError as its message alone; anything else as "unhandled exception"
    // with the object inspected (`{ problems: [...], name: 'ConfigError' }`, colour codes and all).
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message, { cause: err });
    throw err;
  }
}
