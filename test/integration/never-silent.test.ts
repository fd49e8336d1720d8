// Waits say what they wait for and until when, within two seconds; the ops CLIs report a stopped database
// within ten seconds instead of waiting a minute in silence (issue: `migrate status` waited 56 s; the first
// `pulumi` waited 10.5 min on the engine build lock without a word).
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DevSession } from "../../cli/dev/session";
import { devFiles } from "../../cli/shared/dev-files";
import { plannedAttempts } from "../../migrator/connect";
import { withBuildLock } from "../../testbed/engine/build-lock";
import { freePort } from "../../testbed/ports";
import { ROOT } from "../../testbed/root";

interface Timed {
  readonly code: number | null;
  readonly ms: number;
  readonly stderr: string;
  /** ms after the start at which stderr first matched `first`. */
  readonly firstAt?: number;
}

function timedBin(name: string, argv: string[], env: NodeJS.ProcessEnv, first: RegExp): Promise<Timed> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", name), argv, {
      cwd: os.tmpdir(),
      env: { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined, ...env },
    });
    let stderr = "";
    let firstAt: number | undefined;
    child.stderr.on("data", (d) => {
      stderr += d;
      if (firstAt === undefined && first.test(stderr)) firstAt = Date.now() - started;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, ms: Date.now() - started, stderr, firstAt }));
  });
}

describe("never silent, never stuck", function () {
  this.timeout(60_000);
  let stopped: string;

  before(async () => {
    stopped = `postgresql://offthegrid_owner:pw@127.0.0.1:${await freePort()}/offthegrid`;
  });

  it("`migrate status` against a stopped database: attempt n of m and the deadline within 2 s, fails within 10 s", async () => {
    const r = await timedBin("offthegrid-migrate", ["status"], { DATABASE_URL: stopped }, /attempt 1 of \d+/);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
    assert.ok(
      r.firstAt !== undefined && r.firstAt < 2_000,
      `first progress at ${r.firstAt} ms:\n${r.stderr}`,
    );
    assert.match(
      r.stderr,
      /PostgreSQL at 127\.0\.0\.1:\d+ is not answering \(ECONNREFUSED\).*giving up at \d\d:\d\d:\d\d UTC/,
    );
    assert.match(r.stderr, /did not accept connections within \d s/);
  });

  it("`migrate status --wait 2` gives up after about two seconds", async () => {
    const r = await timedBin(
      "offthegrid-migrate",
      ["status", "--wait", "2"],
      { DATABASE_URL: stopped },
      /attempt 1/,
    );
    assert.equal(r.code, 1);
    assert.ok(r.ms < 5_000, `took ${r.ms} ms`);
  });

  it("`db health` against a stopped database reports it down within 10 s", async () => {
    const r = await timedBin("offthegrid-db", ["health"], { DATABASE_URL: stopped }, /./);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  });

  it("the backoff's planned attempts: what 'attempt n of m' counts", () => {
    assert.equal(plannedAttempts(8_000), 6); // waits 200, 400, 800, 1600, 3200 ms fit; 6400 more does not
    assert.equal(plannedAttempts(100), 1);
  });

  it("`npm run dev`: a pulumi call silent for 2 s gets a line saying what is still running", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slow-pulumi-"));
    try {
      fs.writeFileSync(path.join(dir, "pulumi"), "#!/bin/sh\nsleep 3\necho v3.274.1\n", { mode: 0o755 });
      const lines: { at: number; line: string }[] = [];
      const started = Date.now();
      const io = {
        out: () => undefined,
        err: (line: string) => lines.push({ at: Date.now() - started, line }),
        progress: () => undefined,
      };
      const session = new DevSession(devFiles(dir), io, {
        ...process.env,
        PATH: `${dir}${path.delimiter}${process.env.PATH}`,
      });
      await session.checkCli();
      const still = lines.find((l) => /still running `pulumi version` \(2 s\)/.test(l.line));
      assert.ok(still && still.at < 2_600, JSON.stringify(lines));
      assert.match(lines[lines.length - 1].line, /pulumi v3\.274\.1 \(the one on PATH\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("the engine build lock", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "build-lock-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a waiter names the holder, since when, and until when, within 2 s; gives up at its deadline", () => {
      const lock = path.join(dir, "engine.lock");
      fs.mkdirSync(lock);
      const since = Date.now() - 65_000;
      fs.writeFileSync(
        path.join(lock, "holder.json"),
        JSON.stringify({ pid: process.pid, host: os.hostname(), since, command: "main.ts version" }),
      );
      const reports: { at: number; line: string }[] = [];
      const started = Date.now();
      assert.throws(
        () =>
          withBuildLock(lock, () => assert.fail("ran without the lock"), {
            deadlineMs: 2_500,
            report: (line) => reports.push({ at: Date.now() - started, line }),
          }),
        /timed out/,
      );
      assert.ok(reports.length > 0 && reports[0].at < 2_000, JSON.stringify(reports));
      assert.match(
        reports[0].line,
        new RegExp(
          `build lock ${lock}: held by pid ${process.pid} on .* \\(main\\.ts version\\) since \\d\\d:\\d\\d:\\d\\d UTC, 6[5-9] s ago; giving up at \\d\\d:\\d\\d:\\d\\d UTC`,
        ),
      );
    });

    it("a lock whose holder has exited on this machine is taken over at once", () => {
      const lock = path.join(dir, "engine.lock");
      fs.mkdirSync(lock);
      const dead = spawnSync("true").pid;
      fs.writeFileSync(
        path.join(lock, "holder.json"),
        JSON.stringify({ pid: dead, host: os.hostname(), since: Date.now(), command: "x" }),
      );
      const reports: string[] = [];
      assert.equal(
        withBuildLock(lock, () => "built", { deadlineMs: 1_000, report: (l) => reports.push(l) }),
        "built",
      );
      assert.match(reports[0], /taking over .*pid \d+, has exited/);
      assert.equal(fs.existsSync(lock), false, "released");
    });
  });
});
