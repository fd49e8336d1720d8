// Backup files: timestamped names, a .sha256 beside each, retention pruning. Pure apart from the file reads.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathProblem } from "./trusted-files";

export type BackupKind = "postgres" | "redis";
const EXTENSION: Record<BackupKind, string> = { postgres: "dump", redis: "jsonl" };

export function timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}_${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}

export function backupFileName(kind: BackupKind, date: Date): string {
  return `${kind}_backup_${timestamp(date)}.${EXTENSION[kind]}`;
}

export function kindOf(file: string): BackupKind {
  const match = /^(postgres|redis)_backup_\d{8}_\d{6}\.(dump|jsonl)$/.exec(path.basename(file));
  if (!match)
    throw new Error(
      `${file} is not a backup made by \`npm run db -- backup\` (postgres_backup_YYYYMMDD_HHMMSS.dump or redis_backup_….jsonl)`,
    );
  return match[1] as BackupKind;
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    fs.createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve(hash.digest("hex")))
      .on("error", reject);
  });
}

/**
 * Creates `file` (0600) and writes `text`, refusing a name that already exists, symlinks included: a local
 * user who can write the directory must not be able to point our file at theirs.
 */
export function writeNewFile(file: string, text: string): void {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    fs.writeFileSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `<file>.sha256` in sha256sum's format, so `sha256sum -c` verifies it too. */
export async function writeChecksum(file: string): Promise<string> {
  const digest = await sha256File(file);
  writeNewFile(`${file}.sha256`, `${digest}  ${path.basename(file)}\n`);
  return digest;
}

/**
 * Creates the backup directory owner-only (0700) and proves a file can be created in it, so an unwritable
 * directory fails with one clear message before any dump starts. An existing directory keeps its mode, but
 * the whole path must be one no other user controls (trusted-files.ts: no symlink, no other owner, no other
 * writer), root included: the checksum restore trusts would otherwise be theirs.
 */
export function prepareBackupDir(dir: string): void {
  try {
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.chmodSync(dir, 0o700); // mkdir's mode is filtered by the umask
    }
    const problem = pathProblem(dir);
    if (problem) throw Object.assign(new Error(problem), { code: undefined });
    const probe = path.join(dir, `.write-probe-${process.pid}`);
    fs.writeFileSync(probe, "", { mode: 0o600, flag: "wx" });
    fs.rmSync(probe);
  } catch (err) {
    throw new Error(
      `Backup directory ${dir} is not usable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. ` +
        "Pass --dir with a directory this user can create files in.",
      { cause: err },
    );
  }
}

/**
 * Writes a backup under a temporary name that no restore or prune recognises, adds its checksum, then renames
 * both into place (data first: a backup without its .sha256 is refused by restore). A failed run removes what
 * it wrote.
 */
export async function writeBackupAtomically<T>(
  file: string,
  write: (temporary: string) => Promise<T>,
): Promise<{ result: T; sha256: string }> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.partial-${process.pid}`);
  try {
    const result = await write(temporary);
    const fd = fs.openSync(temporary, "r");
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    const sha256 = await sha256File(temporary);
    writeNewFile(`${temporary}.sha256`, `${sha256}  ${path.basename(file)}\n`);
    fs.renameSync(temporary, file);
    fs.renameSync(`${temporary}.sha256`, `${file}.sha256`);
    return { result, sha256 };
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    fs.rmSync(`${temporary}.sha256`, { force: true });
    throw err;
  }
}

/** Deletes backups (and their checksum files) older than `keepDays`, returning what it removed. */
export function pruneBackups(dir: string, keepDays: number, now: Date): string[] {
  if (!fs.existsSync(dir)) return [];
  const cutoff = timestamp(new Date(now.getTime() - keepDays * 86_400_000));
  const removed: string[] = [];
  for (const file of fs.readdirSync(dir)) {
    const match = /^(postgres|redis)_backup_(\d{8}_\d{6})\.(dump|jsonl)$/.exec(file);
    if (match && match[2] < cutoff) {
      fs.rmSync(path.join(dir, file));
      fs.rmSync(path.join(dir, `${file}.sha256`), { force: true });
      removed.push(file);
    }
  }
  return removed;
}
