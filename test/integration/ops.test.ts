import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Redis from "ioredis";
import { type Client } from "pg";
import { main } from "../../cli/db";
import { backupFileName, pruneBackups } from "../../cli/ops/backup-files";
import { clientMajor } from "../../cli/ops/postgres-backup";
import { redisPasswordHash } from "../../stack/redis/conf";
import { TestPostgres, sharedPostgres, startPostgres, withClient } from "../../testbed/postgres";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";
import { RedisServer, startRedis } from "../../testbed/redis-server";
import { DEFAULT_APP_KEY_PATTERNS } from "../../stack/redis/key-patterns";
import { freePort } from "../../testbed/ports";

const ADMIN = "redis-admin-Pw-0123456789abcdefghij";
const APP = "redis-app-Pw-0123456789abcdefghijkl";

/**
 * Runs the CLI in-process with the given environment; returns its exit code, stdout, and stderr as `error`.
 */
async function db(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; out: string; error?: string }> {
  const saved = { ...process.env };
  let out = "";
  let err = "";
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await main(argv, {
      out: (line) => (out += `${line}\n`),
      err: (line) => (err += `${line}\n`),
      progress: (text) => (err += text),
    });
    return { code, out, error: code === 0 ? undefined : err };
  } finally {
    process.env = saved;
  }
}

async function seed(config: ReturnType<PreparedDatabase["as"]>): Promise<void> {
  await withClient(config, async (c) => {
    await c.query(
      `INSERT INTO users (wallet_address) SELECT '9' || translate(md5(g::text) || md5((g + 9)::text), '0', 'z') FROM generate_series(1, 200) g`,
    );
    await c.query(
      `INSERT INTO user_sessions (user_id, token_hash, created_at, expires_at)
       SELECT id, sha256(id::text::bytea), now() - interval '40 days', now() - interval '30 days' FROM users`,
    );
    await c.query(
      `INSERT INTO user_grids (user_id, grid_identity, token_id, value_erg, order_count, price_low, price_high, status)
       SELECT id, encode(sha256(('g' || id)::bytea), 'hex'), encode(sha256('t'::bytea), 'hex'), 10, 4, 1, 2, 'active' FROM users`,
    );
  });
}

/** Row counts and a content checksum of every app table. */
async function fingerprint(config: ReturnType<PreparedDatabase["as"]>): Promise<Record<string, string>> {
  return withClient(config, async (c) => {
    const out: Record<string, string> = {};
    for (const table of [
      "users",
      "user_sessions",
      "user_grids",
      "education_modules",
      "user_trading_stats",
      "migrations.history",
    ]) {
      const { rows } = await c.query(
        `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM ${table} t`,
      );
      out[table] = `${rows[0].n}:${rows[0].sum}`;
    }
    return out;
  });
}

describe("ops CLI (npm run db) on real servers", function () {
  this.timeout(90_000);
  let pg: TestPostgres;
  let prepared: PreparedDatabase;
  let redis: RedisServer;
  const redisUrl = (user: string, password: string) =>
    `redis://${user}:${password}@127.0.0.1:${redis.port}/0`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-backups-"));

  before(async () => {
    pg = await sharedPostgres();
    prepared = await preparedDatabase(pg, "ops");
    await seed(prepared.as("owner"));
    redis = await startRedis({
      maxmemoryMb: 64,
      adminUser: "admin",
      appUser: "app",
      adminPasswordHash: redisPasswordHash(ADMIN),
      appPasswordHash: redisPasswordHash(APP),
    });
  });
  after(async () => redis?.stop());

  describe("health", () => {
    it("reports a healthy primary and Redis (exit 0), connecting as the read-only role and the app user", async () => {
      const { code, out } = await db(["health", "--json"], {
        DATABASE_URL: prepared.url("readonly"),
        REDIS_URL: redisUrl("app", APP),
      });
      const report = JSON.parse(out);
      assert.equal(code, 0, out);
      assert.deepEqual(
        [report.postgres.role, report.postgres.acceptsWrites, report.postgres.pendingMigrations],
        ["primary", true, []],
      );
      assert.deepEqual([report.redis.status, report.redis.role], ["healthy", "primary"]);
    });

    it("is degraded (exit 3) when migrations are pending", async () => {
      const other = await preparedDatabase(pg, "ops_pending");
      await withClient(other.as("admin"), (c) =>
        c.query(
          "DELETE FROM migrations.history WHERE version = (SELECT max(version) FROM migrations.history)",
        ),
      );
      const { code, out } = await db(["health"], {
        DATABASE_URL: other.url("readonly"),
        REDIS_URL: undefined,
      });
      assert.equal(code, 3, out);
      assert.match(out, /pending migrations: \d{3}_[a-z_]+\.sql\n/);
    });

    it("is down (exit 1) when PostgreSQL or Redis cannot be reached", async () => {
      const port = await freePort();
      const down = await db(["health", "--json"], {
        DATABASE_URL: `postgresql://x:y@127.0.0.1:${port}/db`,
        REDIS_URL: undefined,
      });
      assert.equal(down.code, 1);
      assert.equal(JSON.parse(down.out).postgres.status, "down");
      const noAuth = await db(["health", "--json"], {
        DATABASE_URL: prepared.url("readonly"),
        REDIS_URL: `redis://app:wrong-password@127.0.0.1:${redis.port}/0`,
      });
      assert.equal(noAuth.code, 1);
      assert.match(JSON.parse(noAuth.out).redis.error, /WRONGPASS/);
    });

    it("recognises a streaming replica and its replay lag", async function () {
      const primaryDir = path.join(os.tmpdir(), `offthegrid-primary-${process.pid}`);
      const primary = await startPostgres({ dataDir: primaryDir, keepData: true });
      const replicaDir = `${primaryDir}-standby`;
      let standby: TestPostgres | undefined;
      try {
        const source = await preparedDatabase(primary, "replicated");
        // A standby from a copy of the stopped primary's data directory.
        await primary.stop();
        execFileSync("cp", ["-a", primaryDir, replicaDir]);
        const password = primary.config().password;
        fs.appendFileSync(
          path.join(replicaDir, "postgresql.auto.conf"),
          `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres password=${password}'\n`,
        );
        fs.writeFileSync(path.join(replicaDir, "standby.signal"), "");
        if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres:postgres", replicaDir]);
        const restarted = await startPostgres({
          dataDir: primaryDir,
          skipInit: true,
          port: primary.port,
          keepData: true,
        });
        standby = await startPostgres({ dataDir: replicaDir, skipInit: true });
        await withClient(source.as("owner"), (c) =>
          c.query("INSERT INTO users (wallet_address) VALUES ('9' || repeat('a', 50))"),
        );
        const replicaUrl = source.url("readonly").replace(`:${primary.port}/`, `:${standby.port}/`);
        let report: any;
        for (let i = 0; i < 50; i++) {
          report = JSON.parse(
            (await db(["health", "--json"], { DATABASE_URL: replicaUrl, REDIS_URL: undefined })).out,
          );
          if (report.postgres.replayLagSeconds === 0) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(report.postgres.role, "replica");
        assert.equal(report.postgres.acceptsWrites, false);
        assert.equal(report.postgres.replayLagSeconds, 0);
        assert.equal(report.status, "healthy");
        await restarted.stop();
      } finally {
        await standby?.stop();
        fs.rmSync(replicaDir, { recursive: true, force: true });
        fs.rmSync(primaryDir, { recursive: true, force: true });
      }
    });
  });

  describe("metrics", () => {
    it("produces every field on a loaded database, and Redis key counts per seed pattern (by SCAN, as admin)", async () => {
      // The counts below start from what this test writes: the admin empties Redis (the app user may not).
      const admin = new Redis(redisUrl("admin", ADMIN));
      await admin.flushall();
      admin.disconnect();
      const app = new Redis(redisUrl("app", APP));
      await assert.rejects(app.flushall(), /NOPERM/);
      for (let i = 0; i < 3; i++) await app.set(`session:m${i}`, "x");
      for (let i = 0; i < 2; i++) await app.set(`grid:m${i}`, "x", "EX", 60);
      await app.sadd("ws_connections:m1", "a");
      app.disconnect();
      const { code, out } = await db(["metrics", "--json"], {
        DATABASE_URL: prepared.url("readonly"),
        REDIS_URL: redisUrl("app", APP),
        REDIS_ADMIN_URL: redisUrl("admin", ADMIN),
      });
      assert.equal(code, 0, out);
      const m = JSON.parse(out);
      const appOnly = await db(["metrics", "--json"], {
        DATABASE_URL: prepared.url("readonly"),
        REDIS_URL: redisUrl("app", APP),
        REDIS_ADMIN_URL: undefined,
      });
      assert.equal(appOnly.code, 0, String(appOnly.error));
      // The app user may SCAN by default (redisAppScan): the same counts without the admin URL.
      assert.deepEqual(JSON.parse(appOnly.out).redis.keysByPattern, m.redis.keysByPattern);
      assert.ok(m.postgres.connections.used >= 1 && m.postgres.connections.max > 0);
      for (const field of ["cacheHitRatio", "databaseBytes", "deadTupleRatio"])
        assert.equal(typeof m.postgres[field], "number", field);
      assert.ok(m.postgres.largestTables.length > 0 && m.postgres.largestTables[0].bytes > 0);
      assert.ok(m.postgres.slowestStatements.length > 0, JSON.stringify(m.postgres));
      for (const field of [
        "usedMemoryBytes",
        "maxmemoryBytes",
        "memoryRatio",
        "evictedKeys",
        "connectedClients",
      ])
        assert.equal(typeof m.redis[field], "number", field);
      assert.equal(m.redis.maxmemoryBytes, 64 * 1024 * 1024);
      // One count per default family (redisAppKeyPatterns).
      assert.deepEqual(m.redis.keysByPattern, {
        ...Object.fromEntries(DEFAULT_APP_KEY_PATTERNS.map((p) => [p, 0])),
        "session:*": 3,
        "ws_connections:*": 1,
        "grid:*": 2,
      });
    });
  });

  describe("backup and restore", () => {
    it("round-trips PostgreSQL 15 with pg_dump 15: same row counts and content checksum; refuses non-empty without --force", async () => {
      const pg15 = await startPostgres({ major: 15 });
      try {
        const source = await preparedDatabase(pg15, "backup15");
        await seed(source.as("owner"));
        const before = await fingerprint(source.as("admin"));
        const dir = path.join(tmp, "pg15");
        const backup = await db(["backup", "--postgres-only", "--dir", dir, "--json"], {
          DATABASE_URL: source.url("readonly"),
        });
        assert.equal(backup.code, 0, String(backup.error));
        const made = JSON.parse(backup.out);
        assert.match(path.basename(made.postgres), /^postgres_backup_\d{8}_\d{6}\.dump$/);
        assert.match(fs.readFileSync(`${made.postgres}.sha256`, "utf8"), /^[0-9a-f]{64} {2}postgres_backup_/);
        // Wipe: an empty database takes the restore.
        const target = await pg15.createDatabase("restored");
        const adminUrl = `postgresql://postgres:${pg15.config().password}@127.0.0.1:${pg15.port}/${target}`;
        const restore = await db(["restore", made.postgres, "--json"], { ADMIN_DATABASE_URL: adminUrl });
        assert.equal(restore.code, 0, String(restore.error));
        assert.ok(
          JSON.parse(restore.out).migrations.every((s: any) => s.state === "applied"),
          "the schema status is shown after restoring",
        );
        assert.deepEqual(await fingerprint(pg15.config(target)), before);
        const again = await db(["restore", made.postgres], { ADMIN_DATABASE_URL: adminUrl });
        assert.match(
          String(again.error),
          /Refusing to restore into a non-empty database \(\d+ tables in public\); pass --force/,
        );
        // Not marked by a stack and not empty: --force alone is not enough, the target must be named.
        const unnamed = await db(["restore", made.postgres, "--force"], { ADMIN_DATABASE_URL: adminUrl });
        assert.match(String(unnamed.error), new RegExp(`name it: --database ${target}`));
        const forced = await db(["restore", made.postgres, "--force", "--database", target], {
          ADMIN_DATABASE_URL: adminUrl,
        });
        assert.equal(forced.code, 0, String(forced.error));
        assert.deepEqual(await fingerprint(pg15.config(target)), before);
      } finally {
        await pg15.stop();
      }
    });

    it("refuses to dump a newer server than its pg_dump, saying what to install", async () => {
      const result = await db(["backup", "--postgres-only", "--dir", path.join(tmp, "pg17")], {
        DATABASE_URL: prepared.url("readonly"),
      });
      const local = clientMajor("pg_dump");
      if (local < 17) {
        // CI and Debian bookworm: pg_dump 15 against the PostgreSQL 17 server.
        assert.match(
          String(result.error),
          new RegExp(
            `pg_dump ${local} cannot dump a PostgreSQL 17 server .* Install postgresql-client-17, or for the dev stack pass --docker`,
          ),
        );
      } else {
        assert.equal(result.code, 0, `pg_dump ${local} can dump 17: ${result.error}`);
      }
    });

    it("refuses a corrupted backup", async () => {
      const dir = path.join(tmp, "corrupt");
      const made = JSON.parse(
        (
          await db(["backup", "--redis-only", "--dir", dir, "--json"], {
            REDIS_ADMIN_URL: redisUrl("admin", ADMIN),
          })
        ).out,
      );
      fs.appendFileSync(made.redis, "tampered\n");
      const { error } = await db(["restore", made.redis], { REDIS_ADMIN_URL: redisUrl("admin", ADMIN) });
      assert.match(String(error), /checksum mismatch .* the backup is corrupt or was modified/);
    });

    it("round-trips Redis logically (SCAN + DUMP + PTTL, RESTORE) keeping TTLs", async () => {
      const admin = new Redis(redisUrl("admin", ADMIN));
      await admin.flushall();
      await admin.set("session:u1", "token", "PX", 600_000);
      await admin.hset("grid_cache:g1", { price: "1.5", levels: "10" });
      await admin.zadd("rate_limit:10.0.0.1", 1, "a", 2, "b");
      const dir = path.join(tmp, "redis");
      const made = JSON.parse(
        (
          await db(["backup", "--redis-only", "--dir", dir, "--json"], {
            REDIS_ADMIN_URL: redisUrl("admin", ADMIN),
          })
        ).out,
      );
      assert.equal(made.redisKeys, "3");
      const refused = await db(["restore", made.redis], { REDIS_ADMIN_URL: redisUrl("admin", ADMIN) });
      assert.match(String(refused.error), /non-empty Redis \(3 keys\); pass --force/);
      await admin.flushall();
      const restored = await db(["restore", made.redis], { REDIS_ADMIN_URL: redisUrl("admin", ADMIN) });
      assert.equal(restored.code, 0, String(restored.error));
      assert.equal(await admin.get("session:u1"), "token");
      const ttl = await admin.pttl("session:u1");
      assert.ok(ttl > 590_000 && ttl <= 600_000, `TTL kept: ${ttl}`);
      assert.deepEqual(await admin.hgetall("grid_cache:g1"), { price: "1.5", levels: "10" });
      assert.equal(await admin.pttl("grid_cache:g1"), -1, "no TTL stays no TTL");
      assert.deepEqual(await admin.zrange("rate_limit:10.0.0.1", "0", "-1"), ["a", "b"]);
      admin.disconnect();
    });

    it("prunes backups older than --keep-days, with their checksum files", () => {
      const dir = fs.mkdtempSync(path.join(tmp, "prune-"));
      const now = new Date("2026-11-26T12:00:00Z");
      const old = backupFileName("postgres", new Date("2026-11-01T03:00:00Z"));
      const recent = backupFileName("redis", new Date("2026-11-25T03:00:00Z"));
      for (const f of [old, `${old}.sha256`, recent, `${recent}.sha256`, "notes.txt"])
        fs.writeFileSync(path.join(dir, f), "x");
      assert.deepEqual(pruneBackups(dir, 7, now), [old]);
      assert.deepEqual(fs.readdirSync(dir).sort(), ["notes.txt", recent, `${recent}.sha256`].sort());
    });
  });

  describe("maintenance", () => {
    it("deletes expired sessions in batches and reports the count", async () => {
      const { code, out } = await db(["maintenance", "--batch", "64", "--json"], {
        DATABASE_URL: prepared.url("app"),
      });
      assert.equal(code, 0, out);
      assert.deepEqual([JSON.parse(out).deleted, JSON.parse(out).batches], [200, 4]);
    });
  });

  describe("reset", () => {
    it("refuses a database without the dev marker, a non-dev marker, or without --yes; resets a marked dev database", async () => {
      const unmarked = await pg.createDatabase("unmarked");
      const unmarkedUrl = `postgresql://postgres:${pg.config().password}@127.0.0.1:${pg.port}/${unmarked}`;
      // The admin is refused before anything is read: reset runs the owner's migrations.
      assert.match(
        String((await db(["reset", "--yes"], { DATABASE_URL: unmarkedUrl })).error),
        /Refusing to reset as postgres \(SUPERUSER/,
      );
      await withClient(pg.config(unmarked), (c: Client) =>
        c.query("CREATE ROLE unmarked_owner LOGIN PASSWORD 'unmarked-Pw-0123456789'"),
      );
      const ownerUrl = `postgresql://unmarked_owner:unmarked-Pw-0123456789@127.0.0.1:${pg.port}/${unmarked}`;
      assert.match(
        String((await db(["reset", "--yes"], { DATABASE_URL: ownerUrl })).error),
        /not marked by a dev stack/,
      );
      const prod = await preparedDatabase(pg, "ops_prod", "prod");
      assert.match(
        String((await db(["reset", "--yes"], { DATABASE_URL: prod.url("owner") })).error),
        /marked environment "prod"/,
      );
      const dev = await preparedDatabase(pg, "ops_dev");
      await seed(dev.as("owner"));
      assert.match(String((await db(["reset"], { DATABASE_URL: dev.url("owner") })).error), /without --yes/);
      const { code, out } = await db(["reset", "--yes"], { DATABASE_URL: dev.url("owner") });
      assert.equal(code, 0, out);
      assert.match(out, /rolled back (\d+), applied \1 migration/);
      await withClient(dev.as("app"), async (c: Client) => {
        assert.equal((await c.query("SELECT count(*)::int AS n FROM users")).rows[0].n, 0);
        assert.equal(
          (await c.query("SELECT count(*)::int AS n FROM education_modules")).rows[0].n,
          3,
          "seed data re-applied",
        );
      });
    });
  });

  it("maps usage errors to a message naming what is missing", async () => {
    assert.match(
      String((await db(["health"], { DATABASE_URL: undefined })).error),
      /DATABASE_URL \(or --database-url-file FILE\) is not set/,
    );
    const unknown = await db(["frobnicate"], {});
    assert.equal(unknown.code, 2);
    assert.match(String(unknown.error), /unknown command "frobnicate"/);
  });
});
