// Host ports for the dev containers (127.0.0.1 only, as the containers publish): the defaults when free,
// else the next free one above the default, else one at random below the kernel's ephemeral range. Never a
// port from that range: listen(0) and every outgoing connection draw from it, so a port picked there can be
// taken by anything (a Pulumi plugin's gRPC server during the very `up`) before the container binds it, and
// the stack keeps the port in .dev/Pulumi.dev.yaml for good.
import * as fs from "node:fs";
import * as net from "node:net";

export function portFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

let range: [number, number] | undefined;

/** The kernel's ephemeral port range (Linux), or the usual default where /proc cannot say; read once. */
export function ephemeralRange(): [number, number] {
  if (range) return range;
  try {
    const [low, high] = fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    range = [Number(low), Number(high)];
  } catch {
    range = [32768, 60999];
  }
  return range;
}

/** Random ports are drawn from here up to the ephemeral range. */
const RANDOM_FROM = 20000;

/** A free port at random below the ephemeral range, none of `avoid`. */
export async function freePortBelowEphemeral(avoid: ReadonlySet<number> = new Set()): Promise<number> {
  const high = Math.max(RANDOM_FROM + 1000, ephemeralRange()[0]) - 1;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = RANDOM_FROM + Math.floor(Math.random() * (high - RANDOM_FROM + 1));
    if (!avoid.has(port) && (await portFree(port))) return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${RANDOM_FROM} and ${high} after 200 tries`);
}

/**
 * `preferred` when free, else the next free port above it (up to 100 on), else one at random below the
 * ephemeral range. `avoid`: ports other services have or will take (their defaults, ports already chosen).
 */
export async function pickPort(
  preferred: number,
  avoid: ReadonlySet<number> = new Set(),
): Promise<{ port: number; moved: boolean }> {
  if (!avoid.has(preferred) && (await portFree(preferred))) return { port: preferred, moved: false };
  const [ephemeralLow] = ephemeralRange();
  for (let port = preferred + 1; port <= preferred + 100 && port < ephemeralLow; port++)
    if (!avoid.has(port) && (await portFree(port))) return { port, moved: true };
  return { port: await freePortBelowEphemeral(avoid), moved: true };
}
