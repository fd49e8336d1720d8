// The dev Redis container's entrypoint (stack/redis/container.ts), run by /bin/sh against a folder standing
// in for the data volume: which users file a container start leaves for redis-server to load.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REDIS_ENTRYPOINT } from "../../stack/redis/container";

describe("dev Redis entrypoint: the users file a start leaves on the volume", () => {
  let dir: string;
  let containers = 0;
  const acl = () => path.join(dir, "data", "users.acl");

  /**
   * The first start of a new container (its own filesystem, the same data volume) with `seedText` as its
   * uploaded seed; the image's own entrypoint is a no-op here.
   */
  function start(seedText: string): void {
    const root = path.join(dir, `container-${++containers}`);
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(root, "users.acl.seed"), seedText);
    fs.writeFileSync(path.join(bin, "docker-entrypoint.sh"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    fs.writeFileSync(path.join(root, "entrypoint.sh"), REDIS_ENTRYPOINT, { mode: 0o755 });
    execFileSync("/bin/sh", [path.join(root, "entrypoint.sh"), "redis-server"], {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        ACL_FILE: acl(),
        ACL_SEED: path.join(root, "users.acl.seed"),
      },
    });
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-redis-entrypoint-"));
    fs.mkdirSync(path.join(dir, "data"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("an empty volume takes the seed, readable by its owner only", () => {
    start("user admin on #first\n");
    assert.equal(fs.readFileSync(acl(), "utf8"), "user admin on #first\n");
    assert.equal(fs.statSync(acl()).mode & 0o777, 0o600);
  });

  it("a replacing container with the same (stale) seed keeps what ACL SAVE wrote since", () => {
    start("user admin on #first\n");
    fs.writeFileSync(acl(), "user admin on #rotated-twice\n"); // RedisUsers' ACL SETUSER + ACL SAVE
    start("user admin on #first\n");
    assert.equal(fs.readFileSync(acl(), "utf8"), "user admin on #rotated-twice\n");
  });

  it("a new seed (the stack made anew after destroy) replaces the volume's users", () => {
    start("user admin on #first\n");
    fs.writeFileSync(acl(), "user admin on #rotated\n");
    start("user admin on #new-stack\n");
    assert.equal(fs.readFileSync(acl(), "utf8"), "user admin on #new-stack\n");
  });

  it("a volume whose users file was wiped takes the seed again", () => {
    start("user admin on #first\n");
    fs.rmSync(acl());
    start("user admin on #first\n");
    assert.equal(fs.readFileSync(acl(), "utf8"), "user admin on #first\n");
  });
});
