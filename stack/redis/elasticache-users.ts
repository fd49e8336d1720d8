import * as elasticache from "@pulumi/aws/elasticache";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { RedisAppAccess } from "./access";
import { appAccessRules } from "./cluster-access";
import type { Tags } from "../aws/tags";

export interface RedisUserPasswords {
  readonly current: pulumi.Input<string>;
  /** Kept valid alongside the current one until the rotation is retired. */
  readonly previous?: pulumi.Input<string>;
}

export interface RedisUsersArgs {
  /** Prefix of the user ids (the replication group id). */
  readonly id: string;
  readonly clusterMode: boolean;
  /** RBAC engine of the users and the group (stack/redis/cache-engine.ts: redis for both cache engines). */
  readonly engine: string;
  readonly admin: { readonly name: string; readonly passwords: RedisUserPasswords };
  readonly app: {
    readonly name: string;
    readonly passwords: RedisUserPasswords;
    readonly access: RedisAppAccess;
  };
  readonly tags: Tags;
  /**
   * Another store's disabled default user and admin, joined rather than made again (a user may belong to
   * several user groups: DescribeUsers lists each user's UserGroupIds). Only the app user, whose key families
   * differ per store, is this group's own.
   */
  readonly shared?: SharedRedisUsers;
}

export interface SharedRedisUsers {
  readonly defaultUserId: pulumi.Output<string>;
  readonly adminUserId: pulumi.Output<string>;
}

/**
 * RBAC: a disabled `default` user, an admin, and the app confined to its key families; one user group. A
 * function rather than a component, so the users keep their URNs (parent: the ElastiCacheRedis component).
 */
export function redisUsers(
  name: string,
  args: RedisUsersArgs,
  parent: pulumi.Resource,
): SharedRedisUsers & { readonly groupId: pulumi.Output<string> } {
  const passwords = (p: RedisUserPasswords) => (p.previous ? [p.current, p.previous] : [p.current]);
  const user = (role: string, userName: string, accessString: string, pw: pulumi.Input<string>[]) =>
    new elasticache.User(
      `${name}-${role}`,
      {
        userId: `${args.id}-${role}`,
        userName,
        engine: args.engine,
        accessString,
        authenticationMode: { type: "password", passwords: pw },
        tags: args.tags,
      },
      { parent, additionalSecretOutputs: ["passwords", "authenticationMode"] },
    );
  const shared = args.shared ?? {
    // Every user group must contain a user named "default": ours is switched off and can run nothing.
    defaultUserId: user("default", "default", "off ~* -@all", [
      pulumi.secret(
        new random.RandomPassword(`${name}-default`, { length: 40, special: false }, { parent }).result,
      ),
    ]).userId,
    adminUserId: user("admin", args.admin.name, "on ~* &* +@all", passwords(args.admin.passwords)).userId,
  };
  // No channels: Redis 7 users start with none (acl-pubsub-default resetchannels).
  const app = user(
    "app",
    args.app.name,
    `on ${appAccessRules(args.app.access, args.clusterMode)}`,
    passwords(args.app.passwords),
  );
  const group = new elasticache.UserGroup(
    `${name}-users`,
    {
      userGroupId: `${args.id}-users`,
      engine: args.engine,
      userIds: [shared.defaultUserId, shared.adminUserId, app.userId],
      tags: args.tags,
    },
    { parent },
  );
  return { ...shared, groupId: group.userGroupId };
}
