// Host ports for the dev containers: the defaults when free, else a free one the kernel picks (127.0.0.1
// only, as the containers publish).
import * as net from "node:net";

export function portFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export function anyFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ port: 0, host }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `preferred` when free, else another free port. */
export async function pickPort(preferred: number): Promise<{ port: number; moved: boolean }> {
  if (await portFree(preferred)) return { port: preferred, moved: false };
  return { port: await anyFreePort(), moved: true };
}
