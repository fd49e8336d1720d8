// Invariants: a crash during `restore --force` (the server's or the CLI's) leaves no
// process loading behind, no temporary login alive past the next restore or bootstrap (while a running
// restore's login is never taken away), and a message that says what happened, whether the old database is
// intact, and what to run.
//
// How: a real PostgreSQL 15 (pg_dump 15) with a dump big enough that pg_restore is caught mid-COPY; the
// server is killed (SIGQUIT: immediate shutdown, as a crash) and restarted on the same data, or the CLI is
// run as its own process and killed with SIGKILL. The old contents are recognised by a row changed after the
// dump.
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Client } from "pg";
import { pgClient } from "../../testbed/pg-client";
import { TestPostgres, startPostgres, withClient } from "../../testbed/postgres";
import { ROOT } from "../../testbed/stack";
import { SCHEMA_ROLES } from "../../stack/credentials/roles";
import { bootstrap } from "../../migrator";
import { sweepStaleRestoreLogins } from "../../migrator/restore-logins";
import { PreparedDatabase, preparedDatabase, stackBootstrapOptions } from "../support/prepared";
import { opsCli } from "./support";

const ROWS = 1_500_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("adversarial: a crash mid-restore leaves nothing running or logging in, and says what happened (real PostgreSQL 15)", function () {
  this.timeout(300_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-adv-crash-"));
  const dataDir = path.join(os.tmpdir(), `offthegrid-pg-crash-${randomBytes(6).toString("hex")}`);
  let pg: TestPostgres;
  let target: PreparedDatabase;
  let dump: string;

  const admin = <T>(work: (c: Client) => Promise<T>) => withClient(target.as("admin"), work);
  const adminUrl = () => target.url("admin");
  const restoreArgs = () => ["restore", dump, "--force", "--database", target.name, "--json"];
  const restoreLogins = () =>
    admin(async (c) =>
      (
        await c.query("SELECT rolname FROM pg_roles WHERE rolname LIKE 'offthegrid\\_restore\\_%' ORDER BY 1")
      ).rows.map((r) => r.rolname as string),
    );
  /** The row changed after the dump: 'old' while the database holds its pre-restore contents. */
  const marker = () =>
    admin(async (c) => (await c.query("SELECT t FROM public.bulk WHERE g = 1")).rows[0].t as string);
  const markOld = () => admin((c) => c.query("UPDATE public.bulk SET t = 'old' WHERE g = 1"));

  /** Resolves with the restore login once its pg_restore is copying rows. */
  async function loading(deadlineMs = 60_000): Promise<string> {
    const watcher = pgClient(target.as("admin"));
    await watcher.connect();
    try {
      for (const until = Date.now() + deadlineMs; Date.now() < until; await sleep(10)) {
        const { rows } = await watcher.query(
          `SELECT usename FROM pg_stat_activity
            WHERE usename LIKE 'offthegrid\\_restore\\_%' AND state = 'active' AND query ILIKE 'COPY %'`,
        );
        if (rows.length) return rows[0].usename;
      }
    } finally {
      await watcher.end();
    }
    throw new Error("pg_restore never reached its COPY");
  }

  before(async () => {
    pg = await startPostgres({ major: 15, dataDir, keepData: true });
    target = await preparedDatabase(pg, "adv_crash");
    await withClient(target.as("owner"), (c) =>
      c.query(
        `CREATE TABLE public.bulk AS SELECT g, md5(g::text) AS t FROM generate_series(1, ${ROWS}) g;
         CREATE UNIQUE INDEX bulk_g ON public.bulk (g)`,
      ),
    );
    const made = await opsCli(["backup", "--postgres-only", "--dir", path.join(tmp, "backups"), "--json"], {
      DATABASE_URL: target.url("readonly"),
    });
    assert.equal(made.code, 0, made.err);
    dump = JSON.parse(made.out).postgres;
  });
  beforeEach(markOld);
  after(async () => {
    await pg?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("the server killed mid-restore: the message says so, the old database is intact, the next bootstrap drops the login", async () => {
    const run = opsCli(restoreArgs(), { ADMIN_DATABASE_URL: adminUrl() });
    const login = await loading();
    const postmaster = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(postmaster, "SIGQUIT");
    const result = await run;
    while (isAlive(postmaster)) await sleep(50);
    pg = await startPostgres({ major: 15, dataDir, skipInit: true, keepData: true, port: pg.port });
    assert.notEqual(result.code, 0);
    const message = String(result.error);
    assert.doesNotMatch(message, /^Error: connect ECONNREFUSED/);
    assert.match(message, new RegExp(`PostgreSQL went away during the restore of ${target.name} \\(`));
    assert.match(message, /one transaction, which did not commit: \S+ holds what it held before/);
    assert.match(
      message,
      new RegExp(
        `The temporary login ${login} was left behind; the next restore or bootstrap \\(pulumi up\\) drops it`,
      ),
    );
    assert.match(message, /run the same restore again\.$/m);
    assert.equal(await marker(), "old", "the old contents survived");
    assert.deepEqual(await restoreLogins(), [login], "the login was left behind by the crash");
    await admin((c) => bootstrap(c, stackBootstrapOptions(target.name)));
    assert.deepEqual(await restoreLogins(), [], "the bootstrap dropped it");
  });

  it("the CLI killed with SIGKILL mid-restore: no pg_restore survives it, and the next restore drops the login", async () => {
    const cli = spawnCli(restoreArgs(), { ADMIN_DATABASE_URL: adminUrl() });
    try {
      const login = await loading();
      const restores = processesNamed("pg_restore", target.name);
      assert.ok(restores.length > 0, "pg_restore is running");
      cli.kill("SIGKILL");
      const survivors = await whileAlive(restores, 1_500);
      assert.deepEqual(survivors, [], "no pg_restore outlived the CLI");
      assert.equal(await marker(), "old", "the old contents survived");
      assert.deepEqual(await restoreLogins(), [login], "the login was left behind by the crash");
      const next = await opsCli(restoreArgs(), { ADMIN_DATABASE_URL: adminUrl() });
      assert.equal(next.code, 0, next.err);
      assert.deepEqual(JSON.parse(next.out).sweptLogins, [login]);
      assert.deepEqual(await restoreLogins(), []);
      assert.notEqual(await marker(), "old", "the next restore loaded the dump");
    } finally {
      cli.kill("SIGKILL");
    }
  });

  it("a sweep during a running restore leaves that restore's login alone; an expired one goes even if leased", async () => {
    const expired = `offthegrid_restore_${randomBytes(6).toString("hex")}`;
    const holder = pgClient(target.as("admin"));
    await holder.connect();
    try {
      const run = opsCli(restoreArgs(), { ADMIN_DATABASE_URL: adminUrl() });
      const login = await loading();
      await holder.query(`CREATE ROLE ${expired} LOGIN VALID UNTIL '2001-01-01'`);
      await holder.query("SELECT pg_advisory_lock(1869899634, hashtext($1))", [expired]);
      // What every bootstrap runs before its transaction (the first case shows the bootstrap sweeping for
      // real).
      const warnings: string[] = [];
      const swept = await admin((c) => sweepStaleRestoreLogins(c, SCHEMA_ROLES.owner.name, warnings));
      assert.deepEqual([swept, warnings], [[expired], []]);
      assert.deepEqual(
        await restoreLogins(),
        [login],
        "the running restore's login stays; the expired one went",
      );
      const result = await run;
      assert.equal(result.code, 0, result.err);
      assert.deepEqual(await restoreLogins(), []);
    } finally {
      await holder.end();
    }
  });
});

function spawnCli(argv: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(
    process.execPath,
    ["-r", path.join(ROOT, "tools", "ts-register.cjs"), path.join(ROOT, "cli", "db.ts"), ...argv],
    { cwd: os.tmpdir(), env: { ...process.env, DATABASE_URL: undefined, ...env }, stdio: "ignore" },
  );
  return child;
}

function isAlive(pid: number): boolean {
  try {
    // A zombie has exited; only its parent (or init) has yet to reap it.
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

/** Pids of processes whose command line runs `name` and mentions `needle`. */
function processesNamed(name: string, needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (path.basename(argv[0]) === name && argv.some((a) => a.includes(needle))) pids.push(Number(entry));
  }
  return pids;
}

/** The pids still alive after `ms`. */
async function whileAlive(pids: number[], ms: number): Promise<number[]> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(100))
    if (!pids.some(isAlive)) return [];
  return pids.filter(isAlive);
}
