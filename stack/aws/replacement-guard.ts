// The resource that refuses a config change AWS would answer by replacing a protected store (the provider
// and why: replacement-guard-check.ts).
import type * as pulumi from "@pulumi/pulumi";
import { PrebuiltResource } from "../dynamic/prebuilt-resource";
import type { ReplacementGuardArgs } from "./replacement-guard-check";

export type { GuardedValue, ReplacementGuardArgs } from "./replacement-guard-check";

export class ReplacementGuard extends PrebuiltResource {
  constructor(name: string, args: ReplacementGuardArgs, opts?: pulumi.CustomResourceOptions) {
    super("replacementGuard", name, { guarded: args.guarded }, opts, "offthegrid", "ReplacementGuard");
  }
}
