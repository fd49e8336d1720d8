// Connections as an application's pools hold them: each worker keeps one connection per URL and reuses it, drops
// it on any error (a pool never reuses a broken connection), recycles it after a number of uses, and sends a
// fraction of requests over a brand-new connection that is closed afterwards. So logins happen all the time, and
// a credential that stops working shows up within seconds, not at the next deploy.
import Redis from "ioredis";
import { Client } from "pg";

export interface ConnectionPolicy {
  /** Share of requests (0–1) sent on a new connection closed right after. */
  readonly freshFraction: number;
  /** A pooled connection is closed and replaced after this many requests (a pool's maxUses / max lifetime). */
  readonly recycleAfter: number;
  /** 0 <= random() < 1; the runner passes a seeded one. */
  readonly random: () => number;
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
    private readonly policy: ConnectionPolicy,
    private readonly counters: Counters,
  ) {}

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
    const client = new Client({
      connectionString: this.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: REQUEST_TIMEOUT_MS,
      application_name: "offthegrid-traffic",
    });
    // An idle connection killed by the server (restart, pg_terminate_backend) emits 'error': the next use fails
    // and drops it; without a listener the process would crash.
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
  protected async open(): Promise<Redis> {
    const client = new Redis(this.url, {
      lazyConnect: true,
      // The pool decides about reconnecting, not ioredis: a broken connection fails its request and is dropped.
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: REQUEST_TIMEOUT_MS,
      connectionName: "offthegrid-traffic",
    });
    let reason: Error | undefined;
    client.on("error", (err: Error) => (reason ??= err));
    try {
      await client.connect();
    } catch (err) {
      client.disconnect();
      // ioredis rejects connect() with "Connection is closed"; the error event carries WRONGPASS/ECONNREFUSED.
      throw reason ?? err;
    }
    return client;
  }

  protected async close(client: Redis): Promise<void> {
    client.disconnect();
  }
}
