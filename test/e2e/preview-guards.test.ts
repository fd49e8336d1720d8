// `preview` refuses what would cut off a running app, under the real Pulumi CLI (stack/config-guard.ts): a
// lowered epoch (stack/credentials/epoch-rule.ts) and a host port this machine cannot bind
// (stack/local/store-guard.ts). Each refusal is one short paragraph, the stack's state is left as it was, and
// the same conflict after `destroy` reads the same.
import { strict as assert } from "node:assert";
import * as net from "node:net";
import { EngineSession, type RunResult } from "../../testbed/engine/session";
import { freePort } from "../../testbed/ports";
import { containerState } from "../../testbed/standins/docker-container";

const STACK = "dev";

/**
 * The whole output of a refused command: the refusal within the first 10 lines of errors, and nothing
 * unreadable.
 */
function assertRefused(run: RunResult, pattern: RegExp): string {
  const text = run.stdout + run.stderr;
  assert.notEqual(run.code, 0, text);
  assert.doesNotMatch(text, /\x1b\[/, `ANSI escapes:\n${text}`);
  assert.doesNotMatch(text, /^\s+at .*:\d+/m, `a stack frame:\n${text}`);
  assert.doesNotMatch(text, /rpc error|grpc|code = |unhandled exception/i, `gRPC chatter:\n${text}`);
  assert.doesNotMatch(text, /\b[A-Z]\w*Error\b|Error: /, `an exception:\n${text}`);
  // The progress lines above cut long lines at the terminal width; the diagnostics print them whole.
  const diagnostics = text.slice(text.indexOf("Diagnostics:")).split("\n");
  const at = diagnostics.findIndex((line) => pattern.test(line));
  assert.ok(at >= 0 && at < 10, `refusal within the first 10 lines of the diagnostics:\n${text}`);
  return diagnostics[at].replace(/^.*has a problem: /, "").trim();
}

/** JSON paths at which two values differ (a readable assertion over a whole `stack export`). */
function differences(a: unknown, b: unknown, at = "$"): string[] {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null)
    return a === b ? [] : [`${at}: ${JSON.stringify(a)?.slice(0, 80)} ≠ ${JSON.stringify(b)?.slice(0, 80)}`];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) =>
    differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`),
  );
}

/** Holds a port the way another program would. */
function holdPort(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("preview refuses what would cut off a running app (real CLI)", function () {
  this.timeout(300_000);
  let s: EngineSession;
  let ports: { postgres: number; redis: number };
  /**
   * The stack's resources as `stack export` shows them (the manifest's time moves with every checkpoint
   * write).
   */
  const exported = async () =>
    JSON.parse((await s.pulumi(["stack", "export", "--show-secrets"])).stdout).deployment.resources;
  /**
   * What a refused `up` may not change: every custom resource's inputs and outputs. (It does write a
   * checkpoint: components re-registered in their new order, and the default dynamic provider, whose inputs
   * copy the stack's config, updated before the guard's check runs.)
   */
  const managed = (
    resources: { urn: string; custom?: boolean; type: string; inputs?: unknown; outputs?: unknown }[],
  ) =>
    Object.fromEntries(
      resources
        .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
        .map((r) => [r.urn, { inputs: r.inputs, outputs: r.outputs }]),
    );

  before(async () => {
    s = EngineSession.create("e2e-guards");
    await s.pulumi(["login", `file://${s.backend}`]);
    await s.pulumi(["stack", "init", STACK]);
    ports = { postgres: await freePort(), redis: await freePort() };
    await s.pulumi(["config", "set", "postgresHostPort", String(ports.postgres)]);
    await s.pulumi(["config", "set", "redisHostPort", String(ports.redis)]);
    await s.pulumi(["config", "set", "redisCacheHostPort", String(await freePort())]);
    await s.pulumi(["config", "set", "postgresAppPasswordEpoch", "1"]);
    await s.pulumi(["up", "--yes", "--skip-preview"]);
  });

  after(async () => {
    if (s && !process.env.OFFTHEGRID_KEEP_E2E) await s.dispose();
  });

  it("a lowered epoch: `preview` and `up` refuse it naming the key, its applied value and the fix; the state is unchanged", async () => {
    const before = await exported();
    await s.pulumi(["config", "set", "postgresAppPasswordEpoch", "0"]);
    try {
      const pattern = /offthegrid-database:postgresAppPasswordEpoch is 0, below the applied 1: /;
      const preview = await s.pulumi(["preview"], { allowFailure: true });
      const paragraph = assertRefused(preview, pattern);
      assert.match(
        paragraph,
        /Set it back to 1; for a fresh password raise it by one from 1 \(docs\/runbooks\.md "Rotate a secret"\)\.$/,
      );
      assert.deepEqual(differences(await exported(), before), [], "stack export unchanged by preview");
      for (const up of [
        ["up", "--yes"],
        ["up", "--yes", "--skip-preview"],
      ]) {
        const refused = await s.pulumi(up, { allowFailure: true });
        assert.equal(
          assertRefused(refused, pattern),
          paragraph,
          `${up.join(" ")} refuses with the same paragraph`,
        );
      }
      assert.deepEqual(
        differences(managed(await exported()), managed(before)),
        [],
        "no resource changed by up",
      );
    } finally {
      await s.pulumi(["config", "set", "postgresAppPasswordEpoch", "1"]);
    }
    await s.pulumi(["preview", "--expect-no-changes"]);
  });

  it("a raised epoch: `preview` warns in one line what it cuts off", async () => {
    await s.pulumi(["config", "set", "postgresAppPasswordEpoch", "3"]);
    const preview = await s.pulumi(["preview"]);
    await s.pulumi(["config", "set", "postgresAppPasswordEpoch", "1"]);
    assert.match(
      preview.stdout,
      /warning: offthegrid-database:postgresAppPasswordEpoch 1 → 3: both logins get new passwords, so the URL the app holds \(epoch 1\) is refused at once\./,
      preview.stdout,
    );
  });

  let heldRefusal = "";
  it("a host port another process holds: `preview` refuses it naming the key, the port and the holder; PostgreSQL keeps running", async () => {
    const taken = await freePort();
    const holder = await holdPort(taken);
    try {
      const before = await exported();
      const pid = await s.docker(() => containerState("offthegrid-dev-postgres")?.pid);
      await s.pulumi(["config", "set", "postgresHostPort", String(taken)]);
      const pattern = new RegExp(
        `offthegrid-database:postgresHostPort: port ${taken} on 127\\.0\\.0\\.1 is in use`,
      );
      heldRefusal = assertRefused(await s.pulumi(["preview"], { allowFailure: true }), pattern);
      assert.deepEqual(differences(await exported(), before), [], "stack export unchanged by preview");
      assert.match(heldRefusal, new RegExp(`in use by \\S+ \\(pid ${process.pid}\\)`), heldRefusal);
      assert.match(
        heldRefusal,
        /Choose a free port \(pulumi config set postgresHostPort <port>\), or stop what holds it\.$/,
      );
      const up = await s.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
      assert.equal(assertRefused(up, pattern), heldRefusal);
      assert.deepEqual(
        differences(managed(await exported()), managed(before)),
        [],
        "no resource changed by up",
      );
      assert.equal(
        await s.docker(() => containerState("offthegrid-dev-postgres")?.pid),
        pid,
        "the same PostgreSQL",
      );
    } finally {
      holder.close();
      await s.pulumi(["config", "set", "postgresHostPort", String(ports.postgres)]);
    }
    await s.pulumi(["preview", "--expect-no-changes"]);
  });

  it("a host port moved to a free port: `preview` says the container is replaced; `up` moves it", async () => {
    const next = await freePort();
    await s.pulumi(["config", "set", "redisHostPort", String(next)]);
    const preview = await s.pulumi(["preview"]);
    assert.match(
      preview.stdout,
      new RegExp(
        `warning: offthegrid-database:redisHostPort ${ports.redis} → ${next}: the Redis container is replaced`,
      ),
      preview.stdout,
    );
    await s.pulumi(["up", "--yes", "--skip-preview"]);
    ports.redis = next;
    const outputs = await s.outputs(STACK);
    assert.equal(new URL(outputs.redisUrls.app).port, String(next));
  });

  it("after `destroy`, the same conflict is the same short paragraph (no gRPC trace)", async () => {
    await s.pulumi(["destroy", "--yes", "--skip-preview"]);
    const holder = await holdPort(ports.postgres);
    try {
      const pattern = new RegExp(
        `offthegrid-database:postgresHostPort: port ${ports.postgres} on 127\\.0\\.0\\.1 is in use`,
      );
      const up = await s.pulumi(["up", "--yes"], { allowFailure: true });
      const paragraph = assertRefused(up, pattern);
      assert.equal(
        paragraph,
        heldRefusal.split(String(heldRefusal.match(/port (\d+)/)?.[1])).join(String(ports.postgres)),
      );
    } finally {
      holder.close();
    }
  });
});
