// The two Redis stores: state that must not vanish (noeviction) and what is truly cache (the seed's
// allkeys-lru). Redis evicts by instance, never by key family, so only separate instances keep a cache flood
// from evicting revocations, rate-limit windows and sessions (docs/redis-memory.md). Pure: names and policies
// the dev containers, ElastiCache groups and policies share.

export type RedisStore = "state" | "cache";

export interface RedisStoreSpec {
  readonly policy: "noeviction" | "allkeys-lru";
  /** Appended to container, volume, alias and replication group names; the state store keeps the old ones. */
  readonly suffix: string;
  /** What the store holds, for descriptions and messages. */
  readonly holds: string;
}

export const REDIS_STORES: Readonly<Record<RedisStore, RedisStoreSpec>> = {
  state: {
    // A full state store refuses writes (OOM) rather than forget a revoked token.
    policy: "noeviction",
    suffix: "",
    holds: "sessions, revocations, rate limits, websockets",
  },
  cache: {
    // The seed's policy: the coldest cache keys make room, whatever family they are in.
    policy: "allkeys-lru",
    suffix: "-cache",
    holds: "cached views and counters",
  },
};

/** Eviction policies that make a full store evict (a cache store must use one; a state store none). */
export const EVICTING_POLICIES: readonly string[] = [
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
];
