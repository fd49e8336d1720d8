// How much memory and how many idle slots one Redis client may hold, and what happens when the data is full.
// Shared by the dev redis.conf and the ElastiCache parameter group so both bound clients alike. Pure.

const MB = 1024 * 1024;

/**
 * The app's values are session documents, grid views and cached JSON of a few KB
 * (stack/redis/key-patterns.ts, testbed/traffic/redis-ops.ts), the largest tens of KB. 1 MB is ~50 times that
 * and the floor both Redis (`CONFIG SET` refuses less) and ElastiCache (permitted 1048576-536870912) accept.
 * Redis' default is 512 MB: a `SET` header announcing 400 MB let one client hold that much in its query
 * buffer.
 */
export const PROTO_MAX_BULK_LEN = 1 * MB;

/**
 * One full-size argument plus the rest of its command, or a MULTI of small commands (the app's rate-limit
 * windows queue four). Redis' default is 1 GB; ElastiCache permits 1048576-1073741824.
 */
export const CLIENT_QUERY_BUFFER_LIMIT = 2 * MB;

/**
 * Replies a client has not read yet. The largest legitimate reply is a handful of full-size values (an MGET,
 * a capped 50-item LRANGE, SCAN's key names): 8 MB, or 2 MB that stays unread for 10 s, is a client that
 * stopped reading. Redis' default for normal clients is no limit: 40 pipelined, unread LRANGEs took 1.2 GB.
 */
export const OUTPUT_BUFFER_NORMAL = { hardBytes: 8 * MB, softBytes: 2 * MB, softSeconds: 10 } as const;

/**
 * All clients together (query and output buffers): past this share of maxmemory Redis closes the clients that
 * use most. Bounds what many connections within their own limits add up to. Redis 7 only; ElastiCache's
 * redis7 and valkey parameter groups do not offer it, so there the per-client limits above are the bound.
 */
export const MAXMEMORY_CLIENTS_PERCENT = 10;

/**
 * Idle seconds before Redis closes a connection: unauthenticated ones, the `healthcheck` user's, a leaked
 * pool's. ioredis reconnects on its own and resends what was in flight, so the app's idle connections lose
 * nothing. Connections that keep sending are not idle: see docs/runbooks.md for a server whose slots are all
 * taken.
 */
export const IDLE_TIMEOUT_SECONDS = 300;

/** The redis.conf directives (dev and tests). */
export function clientLimitLines(): string[] {
  const o = OUTPUT_BUFFER_NORMAL;
  return [
    `proto-max-bulk-len ${PROTO_MAX_BULK_LEN}`,
    `client-query-buffer-limit ${CLIENT_QUERY_BUFFER_LIMIT}`,
    `client-output-buffer-limit normal ${o.hardBytes} ${o.softBytes} ${o.softSeconds}`,
    `maxmemory-clients ${MAXMEMORY_CLIENTS_PERCENT}%`,
    `timeout ${IDLE_TIMEOUT_SECONDS}`,
  ];
}

/** The same bounds as ElastiCache parameters (bytes; maxmemory-clients has no parameter there). */
export function clientLimitParameters(): { name: string; value: string }[] {
  const o = OUTPUT_BUFFER_NORMAL;
  return [
    { name: "proto-max-bulk-len", value: String(PROTO_MAX_BULK_LEN) },
    { name: "client-query-buffer-limit", value: String(CLIENT_QUERY_BUFFER_LIMIT) },
    { name: "client-output-buffer-limit-normal-hard-limit", value: String(o.hardBytes) },
    { name: "client-output-buffer-limit-normal-soft-limit", value: String(o.softBytes) },
    { name: "client-output-buffer-limit-normal-soft-seconds", value: String(o.softSeconds) },
    { name: "timeout", value: String(IDLE_TIMEOUT_SECONDS) },
  ];
}
