// A raw AUTH, so a test sees exactly what the server answers for a URL's credentials (no client retries).
import { once } from "node:events";
import * as net from "node:net";

/** The server's reply to AUTH with the URL's user and password, e.g. "+OK" or "-WRONGPASS …". */
export async function redisAuth(url: string): Promise<string> {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), u.hostname);
  try {
    await once(socket, "connect");
    socket.write(`AUTH ${decodeURIComponent(u.username)} ${decodeURIComponent(u.password)}\r\n`);
    const [reply] = await once(socket, "data");
    return String(reply).trim();
  } finally {
    socket.destroy();
  }
}
