// Connections as an application's pools hold them: each worker keeps one connection per URL and reuses it,
// drops it on any error (a pool never reuses a broken connection), recycles it after a number of uses, and
// sends a fraction of requests over a brand-new connection that is closed afterwards. So logins happen all
// the time, and a credential that stops working shows up within seconds, not at the next deploy.
import Redis from "ioredis";
import { type Client } from "pg";
import { pgClient } from "../pg-client";
import {
  APP_DEADLINE_MS,
  classifyRedisError,
  mayResend,
  redisOptions,
  type ClientProfile,
  type Safety,
} from "./client-profile";
import { isLoginRefused } from "./verify";

export interface ConnectionPolicy {
  /** Share of requests (0–1) sent on a new connection closed right after. */
  readonly freshFraction: number;
  /**
   * A pooled connection is closed and replaced after this many requests (a pool's maxUses / max lifetime).
   */
  readonly recycleAfter: number;
  /** 0 <= random() < 1; the runner passes a seeded one. */
  readonly random: () => number;
  /** How Redis requests meet an outage (client-profile.ts); default strict. */
  readonly profile?: ClientProfile;
}

export interface Counters {
  opened: number;
}

const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

interface Slot<C> {
  client?: C;
  uses: number;
}

/** One worker's connection to one URL. `use` runs `fn` on a pooled or a fresh connection, per the policy. */
export abstract class Connection<C> {
  private readonly slot: Slot<C> = { uses: 0 };

  constructor(
    protected readonly url: string,
    protected readonly policy: ConnectionPolicy,
    private readonly counters: Counters,
  ) {}

  /** The policy's profile: strict unless it says app. */
  get profile(): ClientProfile {
    return this.policy.profile ?? "strict";
  }

  protected abstract open(): Promise<C>;
  protected abstract close(client: C): Promise<void>;

  async use<T>(fn: (client: C) => Promise<T>): Promise<T> {
    if (this.policy.random() < this.policy.freshFraction) {
      const client = await this.opened();
      try {
        return await fn(client);
      } finally {
        await this.close(client).catch(() => undefined);
      }
    }
    if (this.slot.client && this.slot.uses >= this.policy.recycleAfter) await this.drop();
    this.slot.client ??= await this.opened();
    this.slot.uses++;
    try {
      return await fn(this.slot.client);
    } catch (err) {
      // Server errors such as a constraint violation leave the connection usable, but the harness cannot tell
      // every case apart; dropping is what a cautious pool does and costs only one reconnect.
      await this.drop();
      throw err;
    }
  }

  async drop(): Promise<void> {
    const client = this.slot.client;
    this.slot.client = undefined;
    this.slot.uses = 0;
    if (client) await this.close(client).catch(() => undefined);
  }

  private async opened(): Promise<C> {
    const client = await this.open();
    this.counters.opened++;
    return client;
  }
}

export class PgConnection extends Connection<Client> {
  protected async open(): Promise<Client> {
    const client = pgClient({
      connectionString: this.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: REQUEST_TIMEOUT_MS,
      application_name: "offthegrid-traffic",
    });
    // An idle connection killed by the server (restart, pg_terminate_backend) emits 'error': the next use
    // fails and drops it; without a listener the process would crash.
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return client;
  }

  protected async close(client: Client): Promise<void> {
    await client.end();
  }
}

export class RedisConnection extends Connection<Redis> {
  /** The last connection error of each client ('error' events), for the report when a request gives up. */
  private readonly lastError = new WeakMap<Redis, Error>();

  /**
   * A request as the profile sends it. strict: once, failing on any error. app: waits for the connection
   * (ioredis reconnects with backoff) and sends again what `safety` allows, until APP_DEADLINE_MS; resolves
   * undefined when a non-idempotent request turned out to be applied before its reply was lost.
   */
  async request<T>(fn: (client: Redis) => Promise<T>, safety: Safety<Redis>): Promise<T | undefined> {
    if (this.policy.profile !== "app") return this.use(fn);
    const deadline = Date.now() + APP_DEADLINE_MS;
    return this.use((client) => this.retrying(client, fn, safety, deadline));
  }

  protected async open(): Promise<Redis> {
    const profile = this.policy.profile ?? "strict";
    const client = new Redis(this.url, redisOptions(profile));
    client.on("error", (err: Error) => {
      if (profile === "app" || !this.lastError.has(client)) this.lastError.set(client, err);
    });
    if (profile === "app") {
      // Connects (and reconnects) by itself; requests wait for 'ready'.
      client.connect().catch(() => undefined);
      return client;
    }
    try {
      await client.connect();
    } catch (err) {
      client.disconnect();
      // ioredis rejects connect() with "Connection is closed"; the error event carries
      // WRONGPASS/ECONNREFUSED.
      throw this.lastError.get(client) ?? err;
    }
    return client;
  }

  protected async close(client: Redis): Promise<void> {
    client.disconnect();
  }

  private async retrying<T>(
    client: Redis,
    fn: (client: Redis) => Promise<T>,
    safety: Safety<Redis>,
    deadline: number,
  ): Promise<T | undefined> {
    for (;;) {
      await this.ready(client, deadline);
      try {
        return await fn(client);
      } catch (err) {
        const failure = classifyRedisError(err);
        if (Date.now() >= deadline) throw err;
        if (mayResend(failure, safety)) continue;
        if (failure !== "in-flight" || typeof safety !== "object") throw err;
        // The connection dropped with the request in flight. Once the client is ready again it runs on a new
        // connection, and the old one can execute nothing more: what the server holds now is the answer.
        if (await this.applied(client, safety, deadline, err)) return undefined;
      }
    }
  }

  private async applied(
    client: Redis,
    safety: { readonly applied: (client: Redis) => Promise<boolean> },
    deadline: number,
    original: unknown,
  ): Promise<boolean> {
    for (;;) {
      await this.ready(client, deadline);
      try {
        return await safety.applied(client);
      } catch (err) {
        // A read: safe to ask again, as long as the deadline allows.
        if (classifyRedisError(err) === "answer" || Date.now() >= deadline) throw original;
      }
    }
  }

  /** Resolves once `client` is ready; rejects with its last error at the deadline or on a refused login. */
  private ready(client: Redis, deadline: number): Promise<void> {
    if (client.status === "ready") return Promise.resolve();
    const last = () => this.lastError.get(client) ?? new Error("Redis connection not ready");
    if (client.status === "end") return Promise.reject(last());
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        client.off("ready", onReady);
        client.off("error", onError);
        client.off("end", onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      // A refused login will not change by waiting (a rotated password): fail now, as strict does.
      const onError = (err: Error) => isLoginRefused(err) && done(err);
      const onEnd = () => done(last());
      const timer = setTimeout(() => done(last()), Math.max(0, deadline - Date.now()));
      client.on("ready", onReady);
      client.on("error", onError);
      client.on("end", onEnd);
    });
  }
}
