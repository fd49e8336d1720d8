// Invariant: `restore` reads only files owned by the invoking user or root, in a directory
// no one else can write, with no symbolic link on the path, root included; `backup --dir` writes only into
// such a directory; and what is loaded is exactly what matched the checksum (read once, from the fd that was
// checked).
//
// How: a second OS user (useradd) stands for the attacker. Each case lays out a fresh backup path, e.g.
// <case>/a/b/backups/<file>, puts the attacker's dump and its matching .sha256 there (as a swap would), then
// gives the attacker one foothold on one component of that path: every directory on it and both files, each
// with every foothold its kind allows (owner, group/world write, a symlink in its place, hard links). The
// restore (PostgreSQL and Redis, real servers) must refuse each, naming the component, and load nothing;
// `backup --dir` must refuse every directory foothold. The components come from splitting the path, so a
// deeper layout is covered as is.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Redis from "ioredis";
import { TestPostgres, startPostgres, withClient } from "../../testbed/postgres";
import { RedisServer, startRedis } from "../../testbed/redis-server";
import { redisPasswordHash } from "../../stack/redis/conf";
import { PreparedDatabase, preparedDatabase } from "../support/prepared";
import { opsCli } from "./support";

const ADMIN = "redis-admin-Pw-0123456789abcdefghij";
const KINDS = {
  postgres: "postgres_backup_20260101_000000.dump",
  redis: "redis_backup_20260101_000000.jsonl",
} as const;
type Kind = keyof typeof KINDS;

interface Foothold {
  readonly name: string;
  /** What the refusal must say about the component. */
  readonly says: RegExp;
  apply(target: string, attacker: { uid: number; gid: number }, spare: string): void;
}

const OWNED: Foothold = {
  name: "owned by the other user",
  says: /belongs to another user \(uid \d+\)/,
  apply: (t, a) => fs.chownSync(t, a.uid, a.gid),
};
const SYMLINKED: Foothold = {
  name: "a symbolic link to the real one",
  says: /is a symbolic link/,
  apply: (t, _a, spare) => {
    const real = path.join(spare, `real-${path.basename(t)}`);
    fs.renameSync(t, real);
    fs.symlinkSync(real, t);
  },
};
const writable = (mode: number, who: string): Foothold => ({
  name: `mode ${mode.toString(8)}`,
  says: new RegExp(`is writable by ${who} \\(mode ${mode.toString(8)}\\)`),
  apply: (t) => fs.chmodSync(t, mode),
});

/** Footholds on a directory above the backup directory (a sticky one is fine there: see the control case). */
const PARENT_FOOTHOLDS = [OWNED, writable(0o777, "every user"), writable(0o770, "its group"), SYMLINKED];
/** The backup directory itself: no one else may write it at all, sticky or not. */
const DIR_FOOTHOLDS = [...PARENT_FOOTHOLDS, writable(0o1777, "every user")];
const FILE_FOOTHOLDS: Foothold[] = [
  OWNED,
  writable(0o646, "every user"),
  writable(0o620, "its group"),
  SYMLINKED,
  {
    name: "a hard link to the other user's file",
    says: /belongs to another user/,
    apply: (t, a, spare) => {
      const theirs = path.join(spare, `theirs-${path.basename(t)}`);
      fs.renameSync(t, theirs);
      fs.chownSync(theirs, a.uid, a.gid);
      fs.linkSync(theirs, t);
    },
  },
  {
    name: "a hard link to a file of ours elsewhere",
    says: /has 2 hard links/,
    apply: (t, _a, spare) => {
      const elsewhere = path.join(spare, `linked-${path.basename(t)}`);
      fs.renameSync(t, elsewhere);
      fs.linkSync(elsewhere, t);
    },
  },
];

describe("adversarial: backups trust no path another user controls (real PostgreSQL 15, Redis, a second OS user)", function () {
  this.timeout(600_000);
  const attackerName = `otgadv${randomBytes(4).toString("hex")}`;
  const attacker = { uid: -1, gid: -1 };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-adv-trust-"));
  let pg: TestPostgres;
  let target: PreparedDatabase;
  let redis: RedisServer;
  let redisUrl: string;
  /** The attacker's backups: each loads a `planted` object (table / key). */
  const evil: Record<Kind, string> = { postgres: "", redis: "" };
  /** Honest backups of the targets. */
  const good: Record<Kind, string> = { postgres: "", redis: "" };
  let cases = 0;

  const env = () => ({ ADMIN_DATABASE_URL: adminUrl(), REDIS_ADMIN_URL: redisUrl, DATABASE_URL: undefined });
  const adminUrl = () => {
    const c = target.as("admin");
    return `postgresql://${c.user}:${c.password}@127.0.0.1:${pg.port}/${target.name}`;
  };
  const restoreArgs = (file: string) => ["restore", file, "--force", "--database", target.name];

  async function planted(kind: Kind): Promise<boolean> {
    if (kind === "redis") {
      const r = new Redis(redisUrl);
      try {
        return (await r.exists("planted")) === 1;
      } finally {
        r.disconnect();
      }
    }
    return withClient(target.as("admin"), async (c) => {
      const { rows } = await c.query("SELECT to_regclass('public.planted') IS NOT NULL AS p");
      return rows[0].p as boolean;
    });
  }
  async function unplant(): Promise<void> {
    await withClient(target.as("admin"), (c) => c.query("DROP TABLE IF EXISTS public.planted"));
    const r = new Redis(redisUrl);
    await r.del("planted");
    r.disconnect();
  }

  /** A fresh <case>/a/b/backups/<file> holding `source` and its .sha256 (root's, 0600 in 0700 dirs). */
  function layout(kind: Kind, source: string) {
    const base = path.join(tmp, `case-${++cases}`);
    const spare = path.join(tmp, `spare-${cases}`);
    const dir = path.join(base, "a", "b", "backups");
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(spare, { mode: 0o700 });
    const file = path.join(dir, KINDS[kind]);
    fs.copyFileSync(source, file);
    fs.copyFileSync(`${source}.sha256`, `${file}.sha256`);
    for (const f of [file, `${file}.sha256`]) fs.chmodSync(f, 0o600);
    // Every directory from the case's root down to the backup directory: the path's own components.
    const dirs = path
      .relative(tmp, dir)
      .split(path.sep)
      .map((_, i, parts) => path.join(tmp, ...parts.slice(0, i + 1)));
    return { file, dir, dirs, spare };
  }

  before(async function () {
    // A second user's files need root to arrange. A developer's non-root run skips; CI (.ci/run) must run it.
    if (process.getuid?.() !== 0) {
      if (process.env.OFFTHEGRID_CI)
        throw new Error("backup-trust needs root (useradd): run .ci/run as root");
      this.skip();
    }
    execFileSync("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", attackerName]);
    attacker.uid = Number(execFileSync("id", ["-u", attackerName], { encoding: "utf8" }));
    attacker.gid = Number(execFileSync("id", ["-g", attackerName], { encoding: "utf8" }));
    pg = await startPostgres({ major: 15 });
    target = await preparedDatabase(pg, "adv_trust");
    const source = await preparedDatabase(pg, "adv_trust_evil");
    await withClient(source.as("owner"), (c) => c.query("CREATE TABLE public.planted (x int)"));
    redis = await startRedis({
      maxmemoryMb: 64,
      adminUser: "admin",
      appUser: "app",
      adminPasswordHash: redisPasswordHash(ADMIN),
      appPasswordHash: redisPasswordHash("redis-app-Pw-0123456789abcdefghijkl"),
    });
    redisUrl = `redis://admin:${ADMIN}@127.0.0.1:${redis.port}/0`;
    const made = async (name: string, databaseUrl: string) => {
      const run = await opsCli(["backup", "--dir", path.join(tmp, name), "--json"], {
        DATABASE_URL: databaseUrl,
        REDIS_ADMIN_URL: redisUrl,
      });
      assert.equal(run.code, 0, run.err);
      return JSON.parse(run.out);
    };
    const honest = await made("good", target.url("readonly"));
    Object.assign(good, { postgres: honest.postgres, redis: honest.redis });
    const r = new Redis(redisUrl);
    await r.set("planted", "by the other user");
    const theirs = await made("evil", source.url("readonly"));
    await r.del("planted");
    r.disconnect();
    Object.assign(evil, { postgres: theirs.postgres, redis: theirs.redis });
  });
  afterEach(async () => target && unplant());
  after(async () => {
    await pg?.stop();
    await redis?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    if (attacker.uid >= 0) execFileSync("userdel", [attackerName]);
  });

  for (const kind of Object.keys(KINDS) as Kind[]) {
    it(`${kind}: the attacker's backup on a clean path of ours loads (the cases below are not vacuous)`, async () => {
      const { file } = layout(kind, evil[kind]);
      const run = await opsCli(restoreArgs(file), env());
      assert.equal(run.code, 0, run.err);
      assert.equal(await planted(kind), true);
    });

    it(`${kind}: a sticky world-writable directory above the backup directory (like /tmp) is accepted`, async () => {
      const { file, dirs } = layout(kind, good[kind]);
      fs.chmodSync(dirs[1], 0o1777);
      const run = await opsCli(restoreArgs(file), env());
      assert.equal(run.code, 0, run.err);
    });

    for (const [position, footholds] of [
      ["the case's root", PARENT_FOOTHOLDS],
      ["parent a", PARENT_FOOTHOLDS],
      ["parent b", PARENT_FOOTHOLDS],
      ["the backup directory", DIR_FOOTHOLDS],
    ] as const)
      for (const foothold of footholds)
        it(`${kind}: restore refuses when ${position} is ${foothold.name}`, async () => {
          const { file, dirs, spare } = layout(kind, evil[kind]);
          const index = ["the case's root", "parent a", "parent b", "the backup directory"].indexOf(position);
          assert.equal(dirs.length, 4, "the layout's path has the four directories named here");
          foothold.apply(dirs[index], attacker, spare);
          const run = await opsCli(restoreArgs(file), env());
          assert.match(String(run.error), /^Error: Refusing .*/);
          assert.match(String(run.error), foothold.says);
          assert.equal(await planted(kind), false, "nothing of the attacker's was loaded");
        });

    for (const which of ["the backup", "its .sha256"] as const)
      for (const foothold of FILE_FOOTHOLDS)
        it(`${kind}: restore refuses when ${which} is ${foothold.name}`, async () => {
          const { file, spare } = layout(kind, evil[kind]);
          foothold.apply(which === "the backup" ? file : `${file}.sha256`, attacker, spare);
          const run = await opsCli(restoreArgs(file), env());
          assert.match(String(run.error), /^Error: Refusing .*/);
          assert.match(String(run.error), foothold.says);
          assert.equal(await planted(kind), false, "nothing of the attacker's was loaded");
        });
  }

  it("TOCTOU: a backup swapped after it was checked is not what gets loaded (PostgreSQL)", async () => {
    const { file } = layout("postgres", good.postgres);
    // The first statement the restore sends comes after the checksum check: swap both files in there.
    const proto = require("pg").Client.prototype;
    const query = proto.query;
    let swapped = false;
    proto.query = function (this: unknown, text: unknown, ...rest: unknown[]) {
      if (!swapped && typeof text === "string" && /CREATE ROLE offthegrid_restore_/.test(text)) {
        swapped = true;
        fs.copyFileSync(evil.postgres, file);
        fs.copyFileSync(`${evil.postgres}.sha256`, `${file}.sha256`);
      }
      return query.call(this, text, ...rest);
    };
    try {
      const run = await opsCli(restoreArgs(file), env());
      assert.equal(run.code, 0, run.err);
    } finally {
      proto.query = query;
    }
    assert.ok(swapped, "the swap happened");
    assert.equal(await planted("postgres"), false, "the verified bytes were loaded, not the swapped ones");
  });

  it("TOCTOU: a backup swapped after it was checked is not what gets loaded (Redis)", async () => {
    const { file } = layout("redis", good.redis);
    const proto = Redis.prototype as unknown as { sendCommand(c: { name: string }): unknown };
    const send = proto.sendCommand;
    let swapped = false;
    proto.sendCommand = function (this: unknown, command: { name: string }, ...rest: unknown[]) {
      if (!swapped && command.name === "dbsize") {
        swapped = true;
        fs.copyFileSync(evil.redis, file);
        fs.copyFileSync(`${evil.redis}.sha256`, `${file}.sha256`);
      }
      return (send as (...a: unknown[]) => unknown).call(this, command, ...rest);
    };
    try {
      const run = await opsCli(restoreArgs(file), env());
      assert.equal(run.code, 0, run.err);
    } finally {
      proto.sendCommand = send;
    }
    assert.ok(swapped, "the swap happened");
    assert.equal(await planted("redis"), false, "the verified bytes were loaded, not the swapped ones");
  });

  for (const [position, footholds] of [
    ["the case's root", PARENT_FOOTHOLDS],
    ["parent b", PARENT_FOOTHOLDS],
    ["the backup directory", DIR_FOOTHOLDS],
  ] as const)
    for (const foothold of footholds)
      it(`backup --dir refuses when ${position} is ${foothold.name}`, async () => {
        const { dir, dirs, spare } = layout("postgres", good.postgres);
        const index = { "the case's root": 0, "parent b": 2, "the backup directory": 3 }[position];
        foothold.apply(dirs[index], attacker, spare);
        const before = fs.readdirSync(fs.realpathSync(dir)).sort();
        const run = await opsCli(["backup", "--dir", dir, "--json"], {
          DATABASE_URL: target.url("readonly"),
          REDIS_ADMIN_URL: redisUrl,
        });
        assert.match(String(run.error), /Backup directory .* is not usable: /);
        assert.match(String(run.error), foothold.says);
        assert.deepEqual(fs.readdirSync(fs.realpathSync(dir)).sort(), before, "nothing was written there");
      });
});
