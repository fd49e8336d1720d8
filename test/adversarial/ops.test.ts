// The ops CLI against real PostgreSQL 15 (with TLS), Redis, and a Redis cluster.
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Redis, { Cluster } from "ioredis";
import { pgDump, pgRestore } from "../../cli/ops/postgres-backup";
import { dumpRedis } from "../../cli/ops/redis-backup";
import { DEFAULT_APP_ACCESS, appPermissions } from "../../stack/redis/access";
import { redisPasswordHash } from "../../stack/redis/conf";
import { migrationStatus } from "../../migrator";
import { TestCertificates, makeTestCertificates } from "../../testbed/certificates";
import { TestPostgres, startPostgres, withClient } from "../../testbed/postgres";
import { RedisServer, startRedis } from "../../testbed/redis-server";
import { ROOT } from "../../testbed/stack";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";
import { TestCluster, startCluster } from "./redis-cluster";
import { opsCli } from "./support";

const ADMIN = "adv-redis-admin-Pw-0123456789abcdef";
const APP = "adv-redis-app-Pw-0123456789abcdefgh";

describe("adversarial: the ops CLI (real PostgreSQL 15 with TLS, Redis, Redis cluster)", function () {
  this.timeout(120_000);
  let pg: TestPostgres;
  let certs: TestCertificates;
  let source: PreparedDatabase;
  let redis: RedisServer;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-adv-ops-"));
  const redisUrl = (user: string, password: string) =>
    `redis://${user}:${password}@127.0.0.1:${redis.port}/0`;
  const tls = (url: string, ca: string) => `${url}?sslmode=verify-ca&sslrootcert=${encodeURIComponent(ca)}`;

  before(async () => {
    certs = makeTestCertificates();
    pg = await startPostgres({ major: 15, extraFlags: certs.serverFlags });
    source = await preparedDatabase(pg, "adv_ops");
    redis = await startRedis({
      maxmemoryMb: 64,
      adminUser: "admin",
      appUser: "app",
      adminPasswordHash: redisPasswordHash(ADMIN),
      appPasswordHash: redisPasswordHash(APP),
    });
  });
  after(async () => {
    await redis?.stop();
    await pg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  // Item 12: pg_restore ran without the URL's sslmode/sslrootcert: libpq fell back to an unverified `prefer`.
  it("pg_dump and pg_restore verify the server against the URL's sslrootcert (a wrong CA is refused)", async () => {
    const file = path.join(tmp, "tls.dump");
    const ro = source.as("readonly");
    execFileSync(
      "pg_dump",
      [
        "--format=custom",
        "-h",
        "127.0.0.1",
        "-p",
        String(ro.port),
        "-U",
        String(ro.user),
        "-d",
        source.name,
        "-f",
        file,
      ],
      {
        env: {
          ...process.env,
          PGPASSWORD: String(ro.password),
          PGSSLMODE: "verify-ca",
          PGSSLROOTCERT: certs.caPath,
        },
      },
    );
    const target = await pg.createDatabase("adv_tls_target");
    const targetUrl = source.url("admin").replace(`/${source.name}`, `/${target}`);
    const listFile = path.join(tmp, "tls.list");
    await assert.rejects(
      pgRestore(tls(targetUrl, certs.otherCaPath), file, { clean: false, listFile }),
      /pg_restore exited with 1: .*certificate verify failed/s,
    );
    await pgRestore(tls(targetUrl, certs.caPath), file, { clean: false, listFile });
    await pgDump({ url: tls(source.url("readonly"), certs.caPath) }, path.join(tmp, "tls1.dump"));
    await assert.rejects(
      pgDump({ url: tls(source.url("readonly"), certs.otherCaPath) }, path.join(tmp, "tls2.dump")),
      /certificate verify failed/,
    );
  });

  // Item 13: backups were world-readable (755/644) and a failed pg_dump left a file named like a backup.
  it("creates the backup directory 0700 and files 0600, and a failed dump leaves nothing behind", async () => {
    const umask = process.umask(0o022);
    try {
      const dir = path.join(tmp, "perms");
      const made = await opsCli(["backup", "--redis-only", "--dir", dir, "--json"], {
        REDIS_ADMIN_URL: redisUrl("admin", ADMIN),
      });
      assert.equal(made.code, 0, String(made.error));
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      for (const f of fs.readdirSync(dir))
        assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
      // A table the read-only role may not read makes pg_dump fail part-way.
      await withClient(source.as("admin"), (c) => c.query("CREATE TABLE IF NOT EXISTS admin_only (x int)"));
      const failedDir = path.join(tmp, "failed");
      const failed = await opsCli(["backup", "--postgres-only", "--dir", failedDir], {
        DATABASE_URL: source.url("readonly"),
      });
      assert.match(String(failed.error), /pg_dump exited with 1: .*permission denied/s);
      assert.deepEqual(fs.readdirSync(failedDir), []);
    } finally {
      process.umask(umask);
      await withClient(source.as("admin"), (c) => c.query("DROP TABLE IF EXISTS admin_only"));
    }
  });

  // Item 14: `--database-url postgresql://u:pw@…` put the password in ps.
  it("refuses URLs on the command line, and reads them from a file instead", async () => {
    const onArgv = await opsCli(["health", "--database-url", source.url("readonly")], {
      DATABASE_URL: undefined,
    });
    assert.equal(onArgv.code, 2, "a usage error (shared convention: 2)");
    assert.match(String(onArgv.error), /--database-url is not accepted: .* pass --database-url-file FILE/);
    const file = path.join(tmp, "url");
    fs.writeFileSync(file, `${source.url("readonly")}\n`, { mode: 0o600 });
    const fromFile = await opsCli(["health", "--database-url-file", file, "--json"], {
      DATABASE_URL: undefined,
    });
    assert.equal(JSON.parse(fromFile.out).postgres.role, "primary", String(fromFile.error));
  });

  // Item 15: raw errors and stack traces.
  it("an unwritable backup directory is one clear error with exit code 1 (failed), not an EACCES crash", function () {
    // An existing directory the CLI can reach but not write to.
    const dir = path.join(tmp, "not-yours");
    fs.mkdirSync(dir, { mode: 0o555 });
    const cli = [process.execPath, "-r", "./tools/ts-register.cjs", "cli/db.ts"];
    const args = ["backup", "--redis-only", "--dir", dir];
    // Root writes anywhere: run it without the capabilities that bypass file permissions, as a non-root
    // operator would be (running as another user instead fails when the checkout sits under a 0700
    // directory).
    const [command, ...rest] =
      process.getuid?.() === 0
        ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--", ...cli, ...args]
        : [...cli, ...args];
    const run = spawnSync(command, rest, {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), REDIS_ADMIN_URL: redisUrl("admin", ADMIN) },
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /^error: Backup directory .*not-yours is not usable: EACCES\. Pass --dir/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  });

  it("a wrong Redis password in backup, restore and metrics is a clean error naming server and user", async () => {
    const wrong = redisUrl("admin", "wrong-password");
    const backup = await opsCli(["backup", "--redis-only", "--dir", path.join(tmp, "wrongpass")], {
      REDIS_ADMIN_URL: wrong,
    });
    assert.match(
      String(backup.error),
      new RegExp(
        `Redis at 127\\.0\\.0\\.1:${redis.port} \\(user admin\\) refused the backup connection: WRONGPASS`,
      ),
    );
    const file = path.join(tmp, "redis_backup_20260101_000000.jsonl");
    fs.writeFileSync(file, "");
    spawnSync("sh", ["-c", `sha256sum "${path.basename(file)}" > "${path.basename(file)}.sha256"`], {
      cwd: tmp,
    });
    const restore = await opsCli(["restore", file], { REDIS_ADMIN_URL: wrong });
    assert.match(String(restore.error), /refused the restore connection: WRONGPASS/);
    const metrics = await opsCli(["metrics"], {
      DATABASE_URL: source.url("readonly"),
      REDIS_URL: redisUrl("app", "wrong-password"),
      REDIS_ADMIN_URL: undefined,
    });
    assert.match(String(metrics.error), /\(user app\) refused the metrics connection: WRONGPASS/);
    for (const run of [backup, restore, metrics]) {
      assert.equal(run.code, 1);
      assert.doesNotMatch(run.err, /Unhandled error event/);
    }
  });

  it("a host name that does not resolve fails within seconds, naming the host from the URL", async () => {
    const started = Date.now();
    await assert.rejects(
      migrationStatus({
        connection: { connectionString: "postgresql://u:p@db-typo.invalid:6543/offthegrid" },
        migrations: [],
      }),
      /PostgreSQL at db-typo\.invalid:6543 did not accept connections within \d+ s: getaddrinfo ENOTFOUND db-typo\.invalid/,
    );
    assert.ok(Date.now() - started < 10_000, `gave up after ${Date.now() - started} ms`);
  });

  it("a truncated Redis backup is refused at the right line before any key is written", async () => {
    const admin = new Redis(redisUrl("admin", ADMIN));
    try {
      await admin.flushall();
      for (const k of ["session:a", "session:b", "session:c"]) await admin.set(k, "v");
      const dir = path.join(tmp, "truncated");
      const made = JSON.parse(
        (
          await opsCli(["backup", "--redis-only", "--dir", dir, "--json"], {
            REDIS_ADMIN_URL: redisUrl("admin", ADMIN),
          })
        ).out,
      );
      // Truncated before its checksum was taken (as the old, non-atomic backup could be): the checksum
      // matches.
      const text = fs.readFileSync(made.redis, "utf8");
      fs.writeFileSync(made.redis, text.slice(0, text.length - 12));
      spawnSync(
        "sh",
        ["-c", `sha256sum "${path.basename(made.redis)}" > "${path.basename(made.redis)}.sha256"`],
        {
          cwd: dir,
        },
      );
      await admin.flushall();
      const restore = await opsCli(["restore", made.redis], { REDIS_ADMIN_URL: redisUrl("admin", ADMIN) });
      assert.match(
        String(restore.error),
        /Refusing to restore .*redis_backup_\d+_\d+\.jsonl line 3: not a JSON object .* nothing was restored/,
      );
      assert.equal(await admin.dbsize(), 0);
    } finally {
      admin.disconnect();
    }
  });

  // Item 16 of an earlier probe: SCAN lists key names outside the app's patterns. Issue 16 made it a switch
  // (redisAppScan, on by default for the instance the stack dedicates to the app): names, never values.
  it("SCAN is a switch: with redisAppScan off the app user may not SCAN; on, it sees names but no values", async () => {
    const admin = new Redis(redisUrl("admin", ADMIN));
    const app = new Redis(redisUrl("app", APP));
    try {
      await admin.set("ops:internal-note", "x");
      const rules = appPermissions({ ...DEFAULT_APP_ACCESS, scan: false }).split(" ");
      await admin.call("ACL", "SETUSER", "app-noscan", "reset", "on", `>${APP}`, ...rules);
      const noScan = new Redis(redisUrl("app-noscan", APP));
      try {
        await assert.rejects(noScan.scan("0"), /NOPERM/);
        await assert.rejects(noScan.scan("0", "MATCH", "session:*"), /NOPERM/);
      } finally {
        noScan.disconnect();
        await admin.call("ACL", "DELUSER", "app-noscan");
      }
      const [, names] = await app.scan("0", "MATCH", "ops:*", "COUNT", 1000);
      assert.ok(names.includes("ops:internal-note"), "the documented cost of the switch: key names");
      await assert.rejects(app.get("ops:internal-note"), /NOPERM/);
      await assert.rejects(app.call("KEYS", "*"), /NOPERM/);
    } finally {
      admin.disconnect();
      app.disconnect();
    }
  });

  describe("Redis cluster", () => {
    let cluster: TestCluster;
    before(async () => (cluster = await startCluster(ADMIN)));
    after(async () => cluster?.stop());
    const clusterUrl = () => `redis://admin:${ADMIN}@127.0.0.1:${cluster.ports[0]}/0`;

    it("backs up every primary and restores across the cluster; a one-node client is refused", async () => {
      const client = new Cluster([{ host: "127.0.0.1", port: cluster.ports[0] }], {
        redisOptions: { username: "admin", password: ADMIN },
      });
      try {
        const keys = Array.from({ length: 60 }, (_, i) => `session:${i}`);
        for (const k of keys) await client.set(k, k);
        const perNode = await Promise.all(client.nodes("master").map((n) => n.dbsize()));
        assert.ok(perNode.filter((n) => n > 0).length === 3, `keys on every primary: ${perNode}`);
        const single = new Redis(clusterUrl());
        await assert.rejects(
          dumpRedis(single, path.join(tmp, "one-node.jsonl")),
          /Refusing to back up through one node of a Redis cluster/,
        );
        single.disconnect();
        const dir = path.join(tmp, "cluster");
        const made = await opsCli(["backup", "--redis-only", "--dir", dir, "--json"], {
          REDIS_ADMIN_URL: clusterUrl(),
        });
        assert.equal(made.code, 0, String(made.error));
        assert.equal(JSON.parse(made.out).redisKeys, String(keys.length));
        await Promise.all(client.nodes("master").map((n) => n.flushall()));
        const restored = await opsCli(["restore", JSON.parse(made.out).redis], {
          REDIS_ADMIN_URL: clusterUrl(),
        });
        assert.equal(restored.code, 0, String(restored.error));
        assert.deepEqual(await Promise.all(keys.map((k) => client.get(k))), keys);
      } finally {
        client.disconnect();
      }
    });
  });
});
