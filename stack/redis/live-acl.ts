// Applies the Redis users to a running server through the admin connection, then persists them (ACL SAVE to
// the aclfile), so a rotation is live and a restart agrees. Self-contained (ioredis is required inside)
// because it runs in Pulumi's provider host as a prebuilt bundle (stack/dynamic/providers.ts).
import type { RedisUserRules } from "./users-acl";

export interface LiveAclTarget {
  readonly host: string;
  readonly port: number;
  readonly adminUser: string;
  /**
   * Admin passwords to try, in order: the current one, then the previous one. During an admin rotation the
   * server still knows only the previous password until this very call sets the new one.
   */
  readonly adminPasswords: readonly string[];
  /** How long to keep trying to reach the server (it may still be starting); default 60 s. */
  readonly deadlineMs?: number;
}

export async function applyRedisUsers(
  target: LiveAclTarget,
  users: readonly RedisUserRules[],
): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const IORedis = require("ioredis") as typeof import("ioredis").default;
  const where = `Redis at ${target.host}:${target.port} (user ${target.adminUser})`;
  const deadline = Date.now() + (target.deadlineMs ?? 60_000);
  const refusals: string[] = [];
  for (;;) {
    for (const password of target.adminPasswords) {
      const client = new IORedis({
        host: target.host,
        port: target.port,
        username: target.adminUser,
        password,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        enableOfflineQueue: false,
      });
      let reason: Error | undefined;
      client.on("error", (err: Error) => (reason ??= err));
      try {
        await client.connect();
      } catch (err) {
        client.disconnect();
        const message = (reason ?? (err as Error)).message;
        if (/WRONGPASS/.test(message)) {
          refusals.push(message);
          continue;
        }
        refusals.length = 0;
        if (Date.now() > deadline) throw new Error(`${where} did not accept connections: ${message}`);
        await new Promise((r) => setTimeout(r, 500));
        break;
      }
      try {
        // One command per user: SETUSER applies all its rules or none, so no client ever sees a half-set
        // user.
        for (const user of users) await client.call("ACL", "SETUSER", user.name, "reset", ...user.rules);
        await client.call("ACL", "SAVE");
        return;
      } finally {
        client.disconnect();
      }
    }
    if (refusals.length >= target.adminPasswords.length) {
      throw new Error(
        `${where} refused the current and the previous admin password (${refusals[0]}); was the admin password ` +
          "rotated twice without a `pulumi up` in between, or the volume's users.acl replaced?",
      );
    }
  }
}

interface RedisUsersInputs {
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

/**
 * The RedisUsers resource's provider (stack/redis/container-acl.ts), prebuilt (stack/dynamic/providers.ts).
 */
export const redisUsersProvider = {
  async create(inputs: RedisUsersInputs) {
    await applyRedisUsers(inputs, inputs.users);
    return {
      id: `redis-users-${inputs.port}`,
      outs: { host: inputs.host, port: inputs.port, digest: inputs.digest },
    };
  },
  async diff(_id: string, olds: { digest?: string; port?: number }, news: RedisUsersInputs) {
    return { changes: olds.digest !== news.digest || olds.port !== news.port };
  },
  async update(_id: string, _olds: unknown, news: RedisUsersInputs) {
    await applyRedisUsers(news, news.users);
    return { outs: { host: news.host, port: news.port, digest: news.digest } };
  },
  // The users go with the server (and its volume); nothing to undo.
  async delete() {},
};
