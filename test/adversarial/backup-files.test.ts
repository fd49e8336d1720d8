// In a --dir another local user can write, the backup's temporary .sha256 was written with
// writeFileSync (no O_EXCL): a symlink planted under that name made the backup overwrite any file the
// operator can write, and left the checksum restore trusts under the other user's control.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { prepareBackupDir, writeBackupAtomically } from "../../cli/ops/backup-files";

describe("adversarial: backup files in a directory others can write", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-adv-files-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("a symlink planted as the temporary checksum name fails the backup; its target is untouched", async () => {
    const dir = path.join(tmp, "planted");
    fs.mkdirSync(dir, { mode: 0o700 });
    const victim = path.join(tmp, "victim.conf");
    fs.writeFileSync(victim, "root-owned content\n");
    const file = path.join(dir, "postgres_backup_20260101_000000.dump");
    const temporary = path.join(dir, `.${path.basename(file)}.partial-${process.pid}`);
    fs.symlinkSync(victim, `${temporary}.sha256`);
    await assert.rejects(
      writeBackupAtomically(file, async (t) => fs.writeFileSync(t, "dump bytes", { flag: "wx" })),
      (err: NodeJS.ErrnoException) => err.code === "EEXIST",
    );
    assert.equal(fs.readFileSync(victim, "utf8"), "root-owned content\n");
    assert.equal(fs.existsSync(file), false, "no backup left without a checksum of ours");
  });

  it("--dir writable by others (world, non-sticky or sticky; group) is refused with the reason", () => {
    for (const mode of [0o777, 0o1777, 0o770]) {
      const dir = path.join(tmp, `shared-${mode.toString(8)}`);
      fs.mkdirSync(dir);
      fs.chmodSync(dir, mode);
      assert.throws(
        () => prepareBackupDir(dir),
        /Backup directory .* is not usable: .* is writable by (every user|its group) \(mode \d+\)/,
      );
    }
    const own = path.join(tmp, "own");
    fs.mkdirSync(own, { mode: 0o755 });
    fs.chmodSync(own, 0o755);
    prepareBackupDir(own);
  });
});
