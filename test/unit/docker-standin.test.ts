// The stand-in docker provider's rules (testbed/standins/docker-semantics.ts) and its volume command, without
// the engine: what the real provider replaces or updates in place, who can read an upload, the images' users.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recordPath, resolveImage } from "../../testbed/standins/docker-host";
import { canRead, containerDiff, imageUser, uploadOwner } from "../../testbed/standins/docker-semantics";

const base = {
  name: "offthegrid-dev-redis",
  image: "sha256:abc",
  envs: ["A=1", "B=2"],
  labels: [
    { label: "x", value: "1" },
    { label: "y", value: "2" },
  ],
  networksAdvanced: [{ name: "net", aliases: ["redis", "cache"] }],
  ports: [{ internal: 6379, external: 16379, ip: "127.0.0.1" }],
  healthcheck: { tests: ["CMD", "true"], interval: "10s" },
  mustRun: true,
  restart: "unless-stopped",
};

describe("stand-in docker provider: the real provider's diff and permission rules", () => {
  it("set-typed fields compare without order; list-typed ones (ports, command) with it", () => {
    const reordered = {
      ...base,
      envs: ["B=2", "A=1"],
      labels: [...base.labels].reverse(),
      networksAdvanced: [{ name: "net", aliases: ["cache", "redis"] }],
    };
    assert.deepEqual(containerDiff(base, reordered), { changed: [], replaces: [] });
    const cmd = (command: string[]) => ({ ...base, command });
    assert.deepEqual(containerDiff(cmd(["redis-server", "a"]), cmd(["a", "redis-server"])).replaces, [
      "command",
    ]);
  });

  it("healthcheck, mustRun, restart and destroyGraceSeconds change in place; env, ports, uploads replace", () => {
    const inPlace = {
      ...base,
      healthcheck: { tests: ["CMD", "false"], interval: "5s" },
      mustRun: false,
      restart: "always",
      destroyGraceSeconds: 30,
    };
    const d = containerDiff(base, inPlace);
    assert.deepEqual(d.changed.sort(), ["destroyGraceSeconds", "healthcheck", "mustRun", "restart"]);
    assert.deepEqual(d.replaces, []);
    // What a refresh of a stopped container records: no ports (ForceNew) and must_run false (in place).
    const refreshed = containerDiff({ ...base, ports: [], mustRun: false }, base);
    assert.deepEqual(refreshed.replaces, ["ports"]);
    assert.deepEqual(refreshed.changed.sort(), ["mustRun", "ports"]);
    assert.deepEqual(containerDiff(base, { ...base, envs: ["A=1"] }).replaces, ["envs"]);
  });

  it("uploads: the provider's owner default is root; uid 999 reads a 0400 file only if it owns it", () => {
    assert.deepEqual(uploadOwner({}), { uid: 0, gid: 0 });
    assert.deepEqual(uploadOwner({ owner: "999", group: "999" }), { uid: 999, gid: 999 });
    assert.throws(() => uploadOwner({ owner: "redis" }), /numeric/);
    const redis = imageUser("redis:7.4.5-bookworm");
    assert.equal(canRead(redis, { uid: 999, gid: 999, mode: 0o400 }), true);
    assert.equal(canRead(redis, { uid: 0, gid: 0, mode: 0o400 }), false);
    assert.equal(canRead(redis, { uid: 0, gid: 0, mode: 0o444 }), true);
    assert.equal(canRead({ uid: 0, gid: 0 }, { uid: 999, gid: 999, mode: 0o000 }), true);
  });

  it("the images' service users: postgres 999 on Debian, 70 on Alpine; redis 999 on both", () => {
    assert.equal(imageUser("postgres:17.6-bookworm").uid, 999);
    assert.equal(imageUser("postgres:17.6-alpine").uid, 70);
    assert.equal(imageUser("docker.io/library/redis:7.4.5-alpine").uid, 999);
  });
});

describe("stand-in docker provider: image names as a refresh re-resolves them", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-standin-images-"));
    process.env.OFFTHEGRID_STANDIN_DOCKER_ROOT = root;
  });
  afterEach(() => {
    delete process.env.OFFTHEGRID_STANDIN_DOCKER_ROOT;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("a rebuilt tag resolves to another image id; a digest-pinned name does not move", () => {
    const tag = "postgres:17.6-bookworm";
    const digest = `sha256:${"a".repeat(64)}`;
    const pinned = `${tag}@${digest}`;
    const before = resolveImage(tag);
    assert.equal(resolveImage(pinned), digest);
    fs.writeFileSync(
      recordPath("images", "registry"),
      JSON.stringify({ [tag]: `sha256:${"b".repeat(64)}`, [pinned]: `sha256:${"c".repeat(64)}` }),
    );
    assert.notEqual(resolveImage(tag), before);
    assert.equal(resolveImage(pinned), digest);
  });
});

describe("npm run standins:docker (wipes retained stand-in volumes)", function () {
  this.timeout(120_000);
  let root: string;
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ["-r", "./tools/ts-register.cjs", "testbed/engine/standin-docker.ts", ...args],
      { encoding: "utf8", env: { ...process.env, OFFTHEGRID_STANDIN_DOCKER_ROOT: root } },
    );

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-standin-cmd-"));
    for (const v of ["offthegrid-dev-pgdata", "offthegrid-dev-redisdata"])
      fs.mkdirSync(path.join(root, "volumes", v), { recursive: true });
    const container = path.join(root, "containers", "offthegrid-dev-postgres");
    fs.mkdirSync(container, { recursive: true });
    fs.writeFileSync(
      path.join(container, "state.json"),
      JSON.stringify({
        pid: 0,
        service: "postgres",
        spec: { name: "offthegrid-dev-postgres", volumes: [{ volumeName: "offthegrid-dev-pgdata" }] },
      }),
    );
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("lists the volumes, removes one no container uses, refuses one in use and an unknown name", () => {
    assert.deepEqual(run("volume", "ls").stdout.trim().split("\n").sort(), [
      "offthegrid-dev-pgdata",
      "offthegrid-dev-redisdata",
    ]);
    const rm = run("volume", "rm", "offthegrid-dev-redisdata", "offthegrid-dev-pgdata", "nope");
    assert.equal(rm.status, 1);
    assert.match(rm.stderr, /volume offthegrid-dev-pgdata is in use by container offthegrid-dev-postgres/);
    assert.match(rm.stderr, /no such volume: nope/);
    assert.equal(fs.existsSync(path.join(root, "volumes", "offthegrid-dev-redisdata")), false);
    assert.equal(fs.existsSync(path.join(root, "volumes", "offthegrid-dev-pgdata")), true);
    // `volume rm ..` named the daemon's whole folder: refused, nothing removed.
    const outside = run("volume", "rm", "..", "../containers");
    assert.equal(outside.status, 1);
    assert.match(outside.stderr, /invalid volume name "\.\.": letters, digits/);
    assert.equal(fs.existsSync(path.join(root, "containers", "offthegrid-dev-postgres")), true);
    assert.equal(run("ps").stdout.trim(), "offthegrid-dev-postgres\texited");
  });
});
