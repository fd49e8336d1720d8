// `npm run dev` as a new user runs it (README's quick start): a clean checkout, no passphrase, no backend,
// 5432 and 6379 taken, and `pulumi` on PATH being the real CLI with the suite's stand-in plugins
// (testbed/engine/bin).
import { strict as assert } from "node:assert";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import { holdPort } from "../../testbed/ports";
import * as path from "node:path";
import { parseEnvFile } from "../../cli/dev/env-file";
import { PULUMI_WRAPPER_DIR } from "../../testbed/engine/cli";
import { EngineSession } from "../../testbed/engine/session";
import { ROOT } from "../../testbed/root";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("npm run dev under the real Pulumi CLI (the `pulumi` on PATH)", function () {
  this.timeout(300_000);
  let s: EngineSession;
  let env: NodeJS.ProcessEnv;
  let held: (net.Server | undefined)[] = [];
  let cleanStatus: string;

  const git = (...args: string[]) => execFileSync("git", args, { cwd: s.project, encoding: "utf8" });
  const run = (command: string, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: s.project, env: { ...env, ...extra } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  const ok = async (command: string, args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = await run(command, args, extra);
    assert.equal(r.code, 0, `${command} ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const dotenv = () => parseEnvFile(fs.readFileSync(path.join(s.project, ".env"), "utf8"));

  before(async () => {
    s = EngineSession.create("e2e-npm-dev");
    // A checkout: the project copy under git, with the repository's .gitignore, committed as cloned.
    fs.copyFileSync(path.join(ROOT, ".gitignore"), path.join(s.project, ".gitignore"));
    git("init", "-q");
    git("add", "-A");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "clone");
    cleanStatus = git("status", "--porcelain");
    env = { ...s.env, PATH: `${PULUMI_WRAPPER_DIR}${path.delimiter}${process.env.PATH}` };
    for (const v of [
      "PULUMI_CONFIG_PASSPHRASE",
      "PULUMI_CONFIG_PASSPHRASE_FILE",
      "PULUMI_BACKEND_URL",
      "DATABASE_URL",
      "ADMIN_DATABASE_URL",
      "REDIS_URL",
      "REDIS_CACHE_URL",
      "REDIS_ADMIN_URL",
    ])
      delete env[v];
    // Held if nobody does yet: either way taken while the test runs.
    held = await Promise.all([5432, 6379, 6380].map((port) => holdPort(port).catch(() => undefined)));
  });

  after(async () => {
    held.forEach((server) => server?.close());
    if (s && !process.env.OFFTHEGRID_KEEP_E2E) await s.dispose();
  });

  it("`npm run dev` with no passphrase and no backend: stack up, ports moved off 5432/6379, .env 0600 and git-ignored, git status unchanged", async () => {
    const r = await ok("npm", ["run", "-s", "dev"]);
    assert.match(r.stderr, /passphrase: none set, so made \.dev\/passphrase \(0600/);
    assert.match(r.stderr, /backend: none logged in, so a local one in \.dev\/state/);
    assert.match(r.stderr, /PostgreSQL: 5432 is taken, so 127\.0\.0\.1:\d+/);
    assert.match(r.stderr, /Redis: 6379 is taken, so 127\.0\.0\.1:\d+/);
    assert.match(r.stderr, /Redis cache: 6380 is taken, so 127\.0\.0\.1:\d+/);
    assert.equal(fs.statSync(path.join(s.project, ".dev", "passphrase")).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(s.project, ".dev")).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(s.project, ".env")).mode & 0o777, 0o600);
    git("check-ignore", "-q", ".env");
    assert.equal(git("status", "--porcelain"), cleanStatus);
    assert.deepEqual(Object.keys(dotenv()).sort(), [
      "DATABASE_URL",
      "READONLY_DATABASE_URL",
      "REDIS_CACHE_URL",
      "REDIS_URL",
    ]);
    const logins = Object.values(dotenv()).map((u) => new URL(u).username);
    assert.deepEqual(
      logins.map((l) => l.replace(/_[ab]$/, "")),
      ["offthegrid_app", "offthegrid_readonly", "app", "app"],
      "the app's roles only: no owner, admin or superuser URL",
    );
    assert.match(r.stdout, /^service\s+host:port\s+role\s+healthy$/m);
    assert.equal((r.stdout.match(/ yes$/gm) ?? []).length, 4, r.stdout);
  });

  it('`psql "$DATABASE_URL"` logs in as the app role; `redis-cli -u "$REDIS_URL"` writes a session: key', async () => {
    const urls = dotenv();
    const who = await ok("psql", [urls.DATABASE_URL, "-tAc", "SELECT current_user"]);
    assert.equal(who.stdout.trim(), "offthegrid_app");
    const set = await ok("redis-cli", [
      "-u",
      urls.REDIS_URL,
      "--no-auth-warning",
      "SET",
      "session:e2e",
      "kept",
    ]);
    assert.equal(set.stdout.trim(), "OK");
    assert.equal(new URL(urls.DATABASE_URL).port === "5432", false);
  });

  it("a re-run changes nothing and writes the same .env again", async () => {
    const before = fs.readFileSync(path.join(s.project, ".env"), "utf8");
    fs.rmSync(path.join(s.project, ".env"));
    const r = await ok("npm", ["run", "-s", "dev"]);
    assert.doesNotMatch(r.stderr, /creating it|is taken/);
    assert.match(r.stderr, /unchanged/);
    assert.equal(fs.readFileSync(path.join(s.project, ".env"), "utf8"), before);
    assert.equal(git("status", "--porcelain"), cleanStatus);
  });

  it("a dev rotation as the runbook types it: the epoch in .dev/Pulumi.dev.yaml, .env refreshed, git status unchanged", async () => {
    const local = fs.readFileSync(path.join(s.project, ".dev", "Pulumi.dev.yaml"), "utf8");
    assert.match(local, /^encryptionsalt: v1:/m, "the salt Pulumi saved from the state");
    const before = dotenv().DATABASE_URL;
    const passphrase = { PULUMI_CONFIG_PASSPHRASE_FILE: path.join(s.project, ".dev", "passphrase") };
    await ok(
      "pulumi",
      [
        "config",
        "set",
        "postgresAppPasswordEpoch",
        "1",
        "--stack",
        "dev",
        "--config-file",
        ".dev/Pulumi.dev.yaml",
      ],
      passphrase,
    );
    await ok("npm", ["run", "-s", "dev"]);
    const after = dotenv().DATABASE_URL;
    assert.notEqual(new URL(after).username, new URL(before).username, "the other member is current");
    assert.equal((await ok("psql", [after, "-tAc", "SELECT current_user"])).stdout.trim(), "offthegrid_app");
    assert.equal(git("status", "--porcelain"), cleanStatus);
  });

  it("`migrate status --stack dev` and `db health --stack dev` work with no URL variable set", async () => {
    const status = await ok("npm", [
      "run",
      "-s",
      "migrate",
      "--",
      "status",
      "--stack",
      "dev",
      "--dir",
      "sql",
    ]);
    assert.match(status.stdout, /\d+ applied, 0 pending/);
    const health = await ok("npm", ["run", "-s", "db", "--", "health", "--stack", "dev"]);
    assert.match(health.stdout + health.stderr, /PostgreSQL/);
    const none = await run("npm", ["run", "-s", "migrate", "--", "status", "--dir", "sql"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /DATABASE_URL is not set.*--stack NAME/);
  });

  it("`migrate new` writes a file that passes the lint and the sum check, and `npm run dev` applies it", async () => {
    const created = await ok("npm", ["run", "-s", "migrate", "--", "new", "probe_table", "--dir", "sql"]);
    const file = /wrote (sql\/\d{3}_probe_table\.sql)/.exec(created.stdout)?.[1];
    assert.ok(file, created.stdout);
    await ok("npm", ["run", "-s", "migrate", "--", "lint", "--dir", "sql"]);
    await ok("npm", ["run", "-s", "migrate", "--", "verify", "--dir", "sql"]);
    assert.deepEqual(git("status", "--porcelain").split("\n").filter(Boolean).sort(), [
      " M sql/migrations.sum",
      `?? ${file}`,
    ]);
    await ok("npm", ["run", "-s", "dev"]);
    const status = await ok("npm", [
      "run",
      "-s",
      "migrate",
      "--",
      "status",
      "--stack",
      "dev",
      "--dir",
      "sql",
    ]);
    assert.match(status.stdout, new RegExp(`applied\\s+${path.basename(file)}`));
  });

  it("`npm run dev -- down` stops the stack and keeps the data; `npm run dev` brings it back", async () => {
    await ok("npm", ["run", "-s", "dev", "--", "down"]);
    const urls = dotenv();
    assert.notEqual((await run("psql", [urls.DATABASE_URL, "-tAc", "SELECT 1"])).code, 0, "stopped");
    await ok("npm", ["run", "-s", "dev"]);
    const again = dotenv();
    const get = await ok("redis-cli", ["-u", again.REDIS_URL, "--no-auth-warning", "GET", "session:e2e"]);
    assert.equal(get.stdout.trim(), "kept");
  });
});
