// The Redis users as ACL rules: one list, rendered as `user` lines (redis.conf in tests, the dev container's
// aclfile) and applied live as `ACL SETUSER <name> reset <rules>` (stack/redis/live-acl.ts). Pure: passwords
// arrive as SHA-256 hashes, so nothing here holds a plaintext secret.
import { RedisAppAccess, appPermissions } from "./access";

export interface RedisUsersOptions {
  readonly adminUser: string;
  readonly appUser: string;
  /** SHA-256 hex digests, as produced by redisPasswordHash. */
  readonly adminPasswordHash: string;
  readonly appPasswordHash: string;
  /** The password before the latest rotation, accepted alongside the current one until retired. */
  readonly previousAdminPasswordHash?: string;
  readonly previousAppPasswordHash?: string;
  /** Key patterns and SCAN for the app user in this store, as configured (stack/redis/keys.ts). */
  readonly appAccess: RedisAppAccess;
}

export interface RedisUserRules {
  readonly name: string;
  readonly rules: readonly string[];
}

/** Runs only PING, for the container healthcheck; its password is not a secret (any password is accepted). */
export const HEALTHCHECK_USER = "healthcheck";

const HASH = /^[0-9a-f]{64}$/;

function check(o: RedisUsersOptions): void {
  for (const [name, hash] of [
    ["adminPasswordHash", o.adminPasswordHash],
    ["appPasswordHash", o.appPasswordHash],
    ["previousAdminPasswordHash", o.previousAdminPasswordHash],
    ["previousAppPasswordHash", o.previousAppPasswordHash],
  ] as const) {
    if (hash !== undefined && !HASH.test(hash))
      throw new Error(`renderRedisConf: ${name} must be a SHA-256 hex digest`);
  }
  for (const user of [o.adminUser, o.appUser]) {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(user) || user === "default" || user === HEALTHCHECK_USER) {
      throw new Error(
        `renderRedisConf: invalid user name "${user}" (lower-case letters, digits, _ or -; not "default" or "${HEALTHCHECK_USER}")`,
      );
    }
  }
}

const passwords = (current: string, previous: string | undefined) =>
  [current, ...(previous !== undefined && previous !== current ? [previous] : [])].map((h) => `#${h}`);

/**
 * Every user, in order; rules start from nothing (`reset` is implied by `user` lines and sent by SETUSER).
 */
export function redisUserRules(o: RedisUsersOptions): RedisUserRules[] {
  check(o);
  return [
    // `off`: nobody can AUTH as default and new connections start unauthenticated (NOAUTH). Its permissions
    // matter only to the AOF-loading client, which runs as the default user and re-checks ACLs at each EXEC
    // (a Redis bug, fixed after 7.4.5): with -@all, every MULTI/EXEC in the AOF (the app's rate-limit
    // windows and set updates) was dropped on restart, silently.
    { name: "default", rules: ["off", "resetpass", "~*", "&*", "+@all"] },
    // PING only, so the healthcheck needs no secret in the container and survives every rotation.
    { name: HEALTHCHECK_USER, rules: ["on", "nopass", "resetchannels", "-@all", "+ping"] },
    {
      name: o.adminUser,
      rules: ["on", ...passwords(o.adminPasswordHash, o.previousAdminPasswordHash), "~*", "&*", "+@all"],
    },
    {
      name: o.appUser,
      rules: [
        "on",
        ...passwords(o.appPasswordHash, o.previousAppPasswordHash),
        "resetchannels",
        ...appPermissions(o.appAccess).split(" "),
      ],
    },
  ];
}

/** `user …` lines, as redis.conf or an aclfile takes them. */
export function renderUserLines(users: readonly RedisUserRules[]): string[] {
  return users.map((u) => `user ${u.name} ${u.rules.join(" ")}`);
}
