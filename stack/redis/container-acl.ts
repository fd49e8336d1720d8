// RedisUsers: keeps the dev Redis's users (passwords included) in step with the stack, live, through the
// admin connection: ACL SETUSER per user, then ACL SAVE into the aclfile on the data volume
// (stack/redis/live-acl.ts). A rotation is an update of this resource only; the container, whose redis.conf
// holds no user, stays.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { applyRedisUsers } from "./live-acl";
import type { RedisUserRules } from "./users-acl";

interface Inputs {
  readonly host: string;
  readonly port: number;
  readonly adminUser: string;
  /** Current admin password, then the previous one (secret). */
  readonly adminPasswords: string[];
  /** The rules (password hashes included; secret). */
  readonly users: RedisUserRules[];
  /** What the diff compares: the users, and the container they were applied to (a new one re-applies). */
  readonly digest: string;
}

const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Inputs) {
    await applyRedisUsers(inputs, inputs.users);
    return {
      id: `redis-users-${inputs.port}`,
      outs: { host: inputs.host, port: inputs.port, digest: inputs.digest },
    };
  },
  async diff(_id: string, olds: { digest?: string; port?: number }, news: Inputs) {
    return { changes: olds.digest !== news.digest || olds.port !== news.port };
  },
  async update(_id: string, _olds: unknown, news: Inputs) {
    await applyRedisUsers(news, news.users);
    return { outs: { host: news.host, port: news.port, digest: news.digest } };
  },
  // The users go with the server (and its volume); nothing to undo.
  async delete() {},
};

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

export class RedisUsers extends pulumi.dynamic.Resource {
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
    super(provider, name, inputs, opts, "offthegrid", "RedisUsers");
  }
}
