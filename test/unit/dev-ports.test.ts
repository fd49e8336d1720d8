// `npm run dev`'s host ports: when a default is taken, the next free port above it, never one another
// service defaults to or already has, and never one from the kernel's ephemeral range (a port picked there
// was taken by a Pulumi plugin's gRPC server during the very `up`, and our own port guard refused it).
import { strict as assert } from "node:assert";
import { ephemeralRange, freePortBelowEphemeral, pickPort } from "../../cli/dev/ports";
import { holdPort } from "../../testbed/ports";

describe("npm run dev: host ports", () => {
  const [ephemeralLow] = ephemeralRange();

  it("keeps a free default", async () => {
    const preferred = await freePortBelowEphemeral();
    assert.deepEqual(await pickPort(preferred), { port: preferred, moved: false });
  });

  it("a taken default moves to the next free port above it, skipping the ports other services have", async () => {
    const preferred = await freePortBelowEphemeral();
    const server = await holdPort(preferred);
    try {
      const { port, moved } = await pickPort(preferred, new Set([preferred + 1]));
      assert.ok(moved);
      assert.ok(port > preferred + 1 && port <= preferred + 100, `${port} after ${preferred}`);
      assert.ok(port < ephemeralLow, `${port} is in the ephemeral range (from ${ephemeralLow})`);
    } finally {
      server.close();
    }
  });

  it("never moves into the ephemeral range, even from a default just below it", async () => {
    const preferred = ephemeralLow - 1;
    const server = await holdPort(preferred).catch(() => undefined); // taken already is as good
    try {
      for (let i = 0; i < 20; i++) {
        const { port } = await pickPort(preferred);
        assert.ok(port < ephemeralLow && port !== preferred, `${port}`);
      }
    } finally {
      server?.close();
    }
  });
});
