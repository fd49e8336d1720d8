// Whether a host port can be bound on this machine right now: dev runs here, so the program can ask the OS
// before Docker is asked to publish the port (and after it has already removed the container it replaces).
import * as net from "node:net";
import { portHolder } from "./port-holder";

export type PortProbe =
  { readonly free: true } | { readonly free: false; readonly why: string; readonly holder?: string };

export function probePort(host: string, port: number): Promise<PortProbe> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) =>
      resolve({
        free: false,
        why: err.code === "EADDRINUSE" ? "is in use" : `cannot be bound (${err.code ?? err.message})`,
        holder: err.code === "EADDRINUSE" ? portHolder(port) : undefined,
      }),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve({ free: true })));
  });
}
