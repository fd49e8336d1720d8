import * as net from "node:net";
import { freePortBelowEphemeral } from "../cli/dev/ports";

/**
 * A free TCP port on loopback, never the 5432/6379/6380 defaults a developer may be running: at random below
 * the kernel's ephemeral range (cli/dev/ports.ts says why), so suites side by side neither lose it to each
 * other's plugins nor often try the same one.
 */
export function freePort(): Promise<number> {
  return freePortBelowEphemeral(new Set([5432, 6379, 6380]));
}

/** Listens on `port` on 127.0.0.1 until the caller closes the server: the port is taken. */
export function holdPort(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

export async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listened on 127.0.0.1:${port} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
