// RedisUsers: keeps the dev Redis's users (passwords included) in step with the stack, live, through the
// admin connection: ACL SETUSER per user, then ACL SAVE into the aclfile on the data volume (the provider:
// stack/redis/live-acl.ts). A rotation is an update of this resource only; the container, whose redis.conf
// holds no user, stays.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { PrebuiltResource } from "../dynamic/prebuilt-resource";
import type { RedisUserRules } from "./users-acl";

export interface RedisUsersArgs {
  readonly host: string;
  readonly port: number;
  readonly adminUser: string;
  readonly adminPassword: pulumi.Input<string>;
  readonly previousAdminPassword?: pulumi.Input<string>;
  readonly users: pulumi.Input<RedisUserRules[]>;
  /** The container the users must be on; a replaced container gets them again. */
  readonly containerId: pulumi.Input<string>;
}

export class RedisUsers extends PrebuiltResource {
  constructor(name: string, args: RedisUsersArgs, opts?: pulumi.CustomResourceOptions) {
    const users = pulumi.output(args.users);
    const digest = pulumi.all([users, args.containerId]).apply(([u, id]) =>
      createHash("sha256")
        .update(JSON.stringify([u, id]))
        .digest("hex"),
    );
    const inputs = {
      host: args.host,
      port: args.port,
      adminUser: args.adminUser,
      adminPasswords: pulumi.secret(
        pulumi
          .all([args.adminPassword, args.previousAdminPassword])
          .apply(([current, previous]) => (previous ? [current, previous] : [current])),
      ),
      users: pulumi.secret(users),
      digest,
    };
    super("redisUsers", name, inputs, opts, "offthegrid", "RedisUsers");
  }
}
