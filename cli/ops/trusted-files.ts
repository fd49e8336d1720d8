// What a backup or restore may trust: files owned by the invoking user or root, in a
// directory no one else can write, reached through directories no one else controls, with no symbolic link
// anywhere on the path, for root too. Root reading a file another user can swap would load that user's dump
// as the admin.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const WRITABLE_BY_OTHERS = 0o022;
const STICKY = 0o1000;

export const invokingUid = (): number => process.getuid?.() ?? 0;

const trustedOwner = (uid: number, me: number) => uid === me || uid === 0;

function writers(mode: number): string {
  return mode & 0o002 ? "every user" : "its group";
}

/**
 * Why `dir` (one directory on the path; `last` is the backup directory itself) lets someone else replace what
 * lies below it, or undefined. A sticky parent (/tmp) is fine: others cannot rename what they do not own in
 * it; the backup directory itself must be writable by no one else at all.
 */
export function directoryProblem(dir: string, st: fs.Stats, me: number, last: boolean): string | undefined {
  if (st.isSymbolicLink())
    return `${dir} is a symbolic link, which whoever controls it can point elsewhere between our checks; pass the real path (realpath ${dir})`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (!trustedOwner(st.uid, me))
    return `${dir} belongs to another user (uid ${st.uid}), who could replace the backup or its checksum; use a directory owned by you or root`;
  if (st.mode & WRITABLE_BY_OTHERS && (last || !(st.mode & STICKY)))
    return `${dir} is writable by ${writers(st.mode)} (mode ${(st.mode & 0o7777).toString(8)}): another user could replace the backup or its checksum. Use a directory only you can write (chmod go-w, or a new --dir)`;
  return undefined;
}

/** The first problem on the path from / down to `dir` (lstat: a symlink is reported, never followed). */
export function pathProblem(dir: string, me = invokingUid()): string | undefined {
  const absolute = path.resolve(dir);
  const chain = [path.parse(absolute).root];
  for (const part of absolute.split(path.sep).filter(Boolean)) chain.push(path.join(chain.at(-1)!, part));
  for (const [i, each] of chain.entries()) {
    const problem = directoryProblem(each, fs.lstatSync(each), me, i === chain.length - 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Why the opened file (fstat of the fd we read from) is not ours to trust, or undefined. */
export function fileProblem(file: string, st: fs.Stats, me: number): string | undefined {
  if (!st.isFile()) return `${file} is not a regular file`;
  if (!trustedOwner(st.uid, me))
    return `${file} belongs to another user (uid ${st.uid}), who could have written it; copy it into a directory of yours after checking it`;
  if (st.nlink !== 1)
    return `${file} has ${st.nlink} hard links: its data can be changed through a name outside this directory; make a copy (cp) and restore that`;
  if (st.mode & WRITABLE_BY_OTHERS)
    return `${file} is writable by ${writers(st.mode)} (mode ${(st.mode & 0o7777).toString(8)}); chmod go-w it after checking its origin`;
  return undefined;
}

/**
 * Opens `file` for reading once (O_NOFOLLOW, O_NONBLOCK so a FIFO cannot stall us) and checks what was
 * opened, not the name: every later read uses this fd, so a swap after the check changes nothing we read.
 */
export function openTrusted(file: string, me = invokingUid()): number {
  const absolute = path.resolve(file);
  const refuse = (problem: string) => new Error(`Refusing ${file}: ${problem}`);
  const onPath = pathProblem(path.dirname(absolute), me);
  if (onPath) throw refuse(onPath);
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(absolute, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOOP")
      throw refuse(`${absolute} is a symbolic link; pass the file itself`);
    throw err;
  }
  try {
    const problem = fileProblem(absolute, fs.fstatSync(fd), me);
    if (problem) throw refuse(problem);
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/**
 * Creates a private directory (0700, under the temp directory, its own path checked like a backup's) for the
 * copy a restore reads: pg_restore and the Redis restore open a path, and this is one no one else can touch.
 */
export function privateDirectory(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o700);
  const problem = pathProblem(dir);
  if (problem) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `Cannot make a private copy of the backup: ${problem}. Set TMPDIR to a directory only you can write.`,
    );
  }
  return dir;
}

function copyHashing(fd: number, to: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    const input = fs.createReadStream("", { fd, start: 0, autoClose: false });
    const output = fs.createWriteStream(to, { flags: "wx", mode: 0o600 });
    input.on("data", (chunk) => hash.update(chunk)).on("error", reject);
    output.on("error", reject).on("finish", () => resolve(hash.digest("hex")));
    input.pipe(output);
  });
}

/**
 * Checks `file` and `<file>.sha256` (trusted-path rules above), copies the data from the opened fd into a
 * private directory while hashing exactly those bytes, compares with the checksum read from its own opened
 * fd, and hands `use` the copy. The copy is removed afterwards, whatever `use` does.
 */
export async function withVerifiedCopy<T>(
  file: string,
  use: (copy: string, privateDir: string) => Promise<T>,
): Promise<T> {
  const sumFile = `${file}.sha256`;
  let sumFd: number;
  try {
    sumFd = openTrusted(sumFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(`Refusing ${file}: its checksum file ${path.basename(sumFile)} is missing`);
    throw err;
  }
  let expected: string;
  try {
    expected = fs.readFileSync(sumFd, "utf8").split(/\s+/)[0];
  } finally {
    fs.closeSync(sumFd);
  }
  const dataFd = openTrusted(file);
  const dir = privateDirectory("offthegrid-restore-");
  try {
    const copy = path.join(dir, path.basename(file));
    let actual: string;
    try {
      actual = await copyHashing(dataFd, copy);
    } finally {
      fs.closeSync(dataFd);
    }
    if (expected !== actual)
      throw new Error(
        `Refusing ${file}: checksum mismatch (expected ${expected}, file has ${actual}); the backup is corrupt or was modified`,
      );
    return await use(copy, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
