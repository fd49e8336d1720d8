// The shapes every access pattern shares: one virtual user's state, what an operation may use, and the tags
// (wallets, token hashes, grid identities) derived from the unique id of the write that creates them.
import { createHash } from "node:crypto";
import type { PgConnection, RedisConnection } from "./connections";
import type { Ledger } from "./ledger";
import type { Store } from "./stats";

export interface Session {
  /** sha256 of the (never stored) token, as user_sessions.token_hash holds it. */
  readonly tokenHash: Buffer;
  /** The JWT id the app blacklists in Redis on logout. */
  readonly jti: string;
  revoked: boolean;
}

export interface Grid {
  readonly identity: string;
  active: boolean;
}

/** One virtual user of the app: a wallet that signs in again and again. */
export interface User {
  readonly wallet: string;
  /** Redis keys are per user id; until PostgreSQL has given one (or when only Redis runs), a local uuid. */
  readonly localId: string;
  /** users.id once a sign-in was acknowledged. */
  pgId?: string;
  readonly sessions: Session[];
  readonly grids: Grid[];
  /** Websocket connection ids of this user. */
  readonly connections: string[];
}

export interface OpContext {
  readonly user: User;
  readonly app: PgConnection;
  readonly readonly: PgConnection;
  /** The state store; an operation on a cache family sees the cache store here (redis-ops.ts routes it). */
  readonly redis: RedisConnection;
  readonly redisCache: RedisConnection;
  readonly ledger: Ledger;
  /** education_modules.id of the first module (no prerequisites), looked up once. */
  readonly firstModuleId: () => Promise<string>;
  /** A unique id for the next write: the run's id, the worker, a sequence number. */
  nextId(): string;
  now(): number;
}

export interface Operation {
  readonly name: string;
  readonly store: Store;
  /**
   * Redis key families the operation touches, as the application names them (e.g. "session:{user_id}"); the
   * runner can restrict a run to the families a stack grants.
   */
  readonly families?: readonly string[];
  /** Relative frequency. */
  readonly weight: number;
  /** Whether the user's state allows it now (e.g. a grid to activate). */
  ready?(user: User): boolean;
  run(ctx: OpContext): Promise<void>;
}

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** A wallet address users.wallet_address accepts (base58, 40–120 characters), unique per id. */
export function walletFor(id: string): string {
  const bytes = Buffer.concat([sha256(`${id}/a`), sha256(`${id}/b`)]);
  return `9${[...bytes.subarray(0, 50)].map((b) => BASE58[b % 58]).join("")}`;
}

/** 64 lowercase hex characters, as the chain ids in user_grids are. */
export function hex64(id: string): string {
  return sha256(id).toString("hex");
}

export function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** The user id Redis keys are built from. */
export function redisUserId(user: User): string {
  return user.pgId ?? user.localId;
}
