// A dev change never leaves the stack without its store (stack/local/store-guard.ts, port-probe.ts,
// port-holder.ts): a host port this machine cannot bind is refused unless the stack's own container holds it,
// the holder named where Linux says; a change that replaces a store's container is announced. Real sockets,
// no mocks.
import { strict as assert } from "node:assert";
import { guardRefusals } from "../../stack/config/guard-check";
import { HOST_PORT_KEYS } from "../../stack/config/keys";
import type { DockerStackConfig } from "../../stack/config/types";
import { validateConfig } from "../../stack/config/validate";
import { listeningInodes, portHolder } from "../../stack/local/port-holder";
import { probePort } from "../../stack/local/port-probe";
import { STORE_REPLACING_KEYS, hostPortGuards, storeConsequence } from "../../stack/local/store-guard";
import { freePort, holdPort } from "../../testbed/ports";
import { PROJECT } from "../../testbed/stack";
import { dev } from "../support/config-cases";
import { assertOneParagraph } from "../support/one-paragraph";

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1538 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0
`;

describe("host ports: refused when this machine cannot bind them", () => {
  it("reads the listening sockets' inodes of a port from /proc/net/tcp (not the connected ones)", () => {
    assert.deepEqual(listeningInodes(TCP, 5432), ["4242"]);
    assert.deepEqual(listeningInodes(TCP, 8080), ["5151"]);
    assert.deepEqual(listeningInodes(TCP, 6379), []);
  });

  it("probes a free and a held port; names the holder (this process) where Linux says", async () => {
    const port = await freePort();
    assert.deepEqual(await probePort("127.0.0.1", port), { free: true });
    const server = await holdPort(port);
    try {
      const probe = await probePort("127.0.0.1", port);
      assert.equal(probe.free, false);
      assert.ok(!probe.free && probe.why === "is in use");
      assert.ok(!probe.free && probe.holder?.endsWith(`(pid ${process.pid})`), JSON.stringify(probe));
      assert.equal(portHolder(port), !probe.free ? probe.holder : undefined);
    } finally {
      server.close();
    }
  });

  for (const key of HOST_PORT_KEYS) {
    it(`${key}: a held port is refused when changed or on a new stack, not when it keeps its applied value`, () => {
      const held = { free: false as const, why: "is in use", holder: "redis-server (pid 4242)" };
      const applied = { keys: hostPortGuards("127.0.0.1", { [key]: 5433 }, { [key]: { free: true } }) };
      const moved = { keys: hostPortGuards("127.0.0.1", { [key]: 6000 }, { [key]: held }) };
      const [refusal, ...more] = guardRefusals(applied, moved);
      assert.equal(more.length, 0);
      assert.equal(
        refusal,
        `offthegrid-database:${key}: port 6000 on 127.0.0.1 is in use by redis-server (pid 4242), so the new ` +
          "container could not publish it (and the one it replaces would already be gone). Choose a free port " +
          `(pulumi config set ${key} <port>), or stop what holds it.`,
      );
      assertOneParagraph(refusal);
      assert.deepEqual(guardRefusals(undefined, moved), [refusal], "after destroy: the same paragraph");
      // The stack's own container holds its applied port.
      const kept = { keys: hostPortGuards("127.0.0.1", { [key]: 5433 }, { [key]: held }) };
      assert.deepEqual(guardRefusals(applied, kept), []);
      const free = { keys: hostPortGuards("127.0.0.1", { [key]: 6000 }, { [key]: { free: true } }) };
      assert.deepEqual(guardRefusals(applied, free), []);
    });
  }

  it("the dev config hands every host port key over, the tools' only while devTools is on", () => {
    const ports = (overrides: Record<string, string>) =>
      Object.keys((validateConfig(dev(overrides), PROJECT, "dev") as DockerStackConfig).hostPorts).sort();
    assert.deepEqual(ports({}), ["postgresHostPort", "redisCacheHostPort", "redisHostPort"]);
    assert.deepEqual(ports({ devTools: "true" }), [...HOST_PORT_KEYS].sort());
  });
});

describe("a change that replaces a store's container: one line in preview", () => {
  it("names the key, the values and the outage; other keys and unchanged values say nothing", () => {
    assert.equal(
      storeConsequence("postgresHostPort", 5432, 5433),
      "offthegrid-database:postgresHostPort 5432 → 5433: the PostgreSQL container is replaced (the old one is " +
        "removed first), so PostgreSQL is down until the new one is healthy; its data stays in the volume. Clients " +
        "must connect to port 5433 afterwards.",
    );
    for (const key of STORE_REPLACING_KEYS) {
      const line = storeConsequence(key, "a", "b");
      assert.ok(line?.startsWith(`offthegrid-database:${key} a → b: the `), key);
      assertOneParagraph(line ?? "");
      assert.equal(storeConsequence(key, "a", "a"), undefined);
    }
    assert.equal(storeConsequence("pgadminHostPort", 8080, 8081), undefined);
  });
});
