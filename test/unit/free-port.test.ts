// The test bench's free ports stay out of the kernel's ephemeral range: there, anything (the engine's
// plugins listen on such ports, every outgoing connection takes one) could take a port between the probe
// and the test's own bind, which failed a CI run's dev e2e suite ("port … is in use by pulumi").
import { strict as assert } from "node:assert";
import { ephemeralRange } from "../../cli/dev/ports";
import { freePort, holdPort } from "../../testbed/ports";

const [ephemeralLow, ephemeralHigh] = ephemeralRange();

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
    (await holdPort(ports[0])).close();
  });
});
