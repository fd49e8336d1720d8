// The CrossGuard pack: `pulumi preview --policy-pack policy --policy-pack-config policy/config/<env>.json`.
// Policies live in ./policies so tests and the offline runner can evaluate them without constructing the pack
// (constructing it starts a gRPC server and needs the CLI).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("offthegrid-database", { policies, enforcementLevel: "mandatory" });
