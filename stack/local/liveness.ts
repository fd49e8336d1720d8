// The resource that asks, on every preview and `up`, whether a dev service answers on its published port
// (the provider and why: liveness-check.ts).
import type * as pulumi from "@pulumi/pulumi";
import { PrebuiltResource } from "../dynamic/prebuilt-resource";
import type { LivenessInputs } from "./liveness-check";

export type { LivenessInputs, ServiceProtocol } from "./liveness-check";

export class ServiceLiveness extends PrebuiltResource {
  declare readonly generation: pulumi.Output<string>;

  constructor(name: string, args: LivenessInputs, opts?: pulumi.CustomResourceOptions) {
    super("serviceLiveness", name, { ...args, generation: undefined }, opts, "offthegrid", "ServiceLiveness");
  }
}
