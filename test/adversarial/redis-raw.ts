// Raw RESP connections for the Redis bound tests: what an attacker sends without a client library (half-sent
// values, replies never read), and the server-side figures the tests judge by.
import * as net from "node:net";
import type Redis from "ioredis";
import { redisPasswordHash } from "../../stack/redis/conf";
import { DEFAULT_APP_KEY_PATTERNS, DEFAULT_CACHE_KEY_PATTERNS } from "../../stack/redis/key-patterns";
import type { RedisStore } from "../../stack/redis/stores";
import { RedisServer, startRedis } from "../../testbed/redis-server";

/**
 * A redis-server with the stack's users (admin, app) and this maxmemory, as the tests attack it: the state
 * store by default (noeviction, the app's state families), or the cache store (allkeys-lru, its cache
 * families).
 */
export const startStackRedis = (
  maxmemoryMb: number,
  admin: string,
  app: string,
  store: RedisStore = "state",
): Promise<RedisServer> =>
  startRedis({
    maxmemoryMb,
    store,
    adminUser: "admin",
    appUser: "app",
    adminPasswordHash: redisPasswordHash(admin),
    appPasswordHash: redisPasswordHash(app),
    appAccess: {
      keyPatterns: store === "state" ? DEFAULT_APP_KEY_PATTERNS : DEFAULT_CACHE_KEY_PATTERNS,
      scan: true,
    },
  });

export const resp = (...args: (string | Buffer)[]): Buffer =>
  Buffer.concat([
    Buffer.from(`*${args.length}\r\n`),
    ...args.flatMap((a) => {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(a);
      return [Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n")];
    }),
  ]);

export interface RawClient {
  readonly socket: net.Socket;
  /** Resolves when the server has closed the connection. */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  /** Everything the server sent (only while `reading`). */
  received(): string;
}

export interface RawOptions {
  /** AUTH user password, sent first (pipelined, not awaited). */
  readonly auth?: readonly [string, string];
  /** false: never read replies, so they pile up in the server's output buffer. */
  readonly reading?: boolean;
}

export function rawClient(port: number, o: RawOptions = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let closed = false;
    let text = "";
    const done = new Promise<void>((r) => socket.once("close", () => ((closed = true), r())));
    socket.on("error", () => undefined);
    socket.on("data", (d) => {
      if (text.length < 4096) text += d.toString("latin1");
    });
    socket.once("connect", () => {
      if (o.reading === false) socket.pause();
      if (o.auth) socket.write(resp("AUTH", ...o.auth));
      resolve({ socket, closed: done, isClosed: () => closed, received: () => text });
    });
    socket.once("error", reject);
  });
}

/** Writes `bytes` in 1 MB chunks, stopping early once the server has closed the connection. */
export async function push(client: RawClient, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024, 0x78);
  for (let sent = 0; sent < bytes && !client.isClosed(); sent += chunk.length) {
    if (!client.socket.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)))) {
      await Promise.race([
        new Promise((r) => client.socket.once("drain", r)),
        client.closed,
        new Promise((r) => setTimeout(r, 2000)),
      ]);
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function info(admin: Redis, section: string): Promise<Record<string, string>> {
  const text = await admin.info(section);
  return Object.fromEntries(
    text
      .split("\r\n")
      .filter((l) => l.includes(":"))
      .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]),
  );
}

export const usedMemory = async (admin: Redis) => Number((await info(admin, "memory")).used_memory);

/**
 * Waits until the server has taken in what the attackers sent: used_memory stable for 300 ms (at most 5 s).
 */
export async function settle(admin: Redis): Promise<number> {
  let last = await usedMemory(admin);
  for (const until = Date.now() + 5000; Date.now() < until;) {
    await sleep(300);
    const now = await usedMemory(admin);
    if (Math.abs(now - last) < 64 * 1024) return now;
    last = now;
  }
  return last;
}
