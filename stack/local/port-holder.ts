// Who holds a TCP port on this machine, as far as Linux says (best effort: /proc/net/tcp{,6} give the
// listening socket's inode, /proc/<pid>/fd the process that has it open; another user's processes are
// unreadable unless root).
import * as fs from "node:fs";

/** Exported for testing: inodes of the sockets listening on `port` in a /proc/net/tcp or tcp6 table. */
export function listeningInodes(table: string, port: number): string[] {
  const inodes: string[] = [];
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [, local, , state, , , , , , inode] = fields;
    // State 0A is TCP_LISTEN; the local address ends in the port, in hex.
    if (state === "0A" && parseInt(local.split(":").pop() ?? "", 16) === port && inode !== "0")
      inodes.push(inode);
  }
  return inodes;
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return fallback;
  }
}

/** "redis-server (pid 4242)", or undefined when the OS does not say. */
export function portHolder(port: number, proc = "/proc"): string | undefined {
  const inodes = new Set(
    ["tcp", "tcp6"].flatMap((t) => listeningInodes(readOr(`${proc}/net/${t}`, ""), port)),
  );
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = fs.readdirSync(proc).filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`${proc}/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`${proc}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) return `${readOr(`${proc}/${pid}/comm`, "?").trim()} (pid ${pid})`;
    }
  }
  return undefined;
}
