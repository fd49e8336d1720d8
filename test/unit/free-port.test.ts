// The test bench's free ports stay out of the kernel's ephemeral range: there, anything (the engine's
// plugins listen on such ports, every outgoing connection takes one) could take a port between the probe
// and the test's own bind, which failed a CI run's dev e2e suite ("port … is in use by pulumi").
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as net from "node:net";
import { freePort } from "../../testbed/ports";

const [ephemeralLow, ephemeralHigh] = fs
  .readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
  .trim()
  .split(/\s+/)
  .map(Number);

describe("test bench: freePort()", () => {
  it("returns bindable ports below the ephemeral range, not the same one each time", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    for (const port of ports) {
      assert.ok(
        port < ephemeralLow || port > ephemeralHigh,
        `${port} is in ${ephemeralLow}-${ephemeralHigh}`,
      );
      assert.ok(![5432, 6379, 6380].includes(port), `${port} is a store's default`);
    }
    assert.ok(new Set(ports).size > 30, `only ${new Set(ports).size} distinct ports of 40`);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(ports[0], "127.0.0.1", () => resolve());
    });
    server.close();
  });
});
