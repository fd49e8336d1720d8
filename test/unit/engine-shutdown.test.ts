// After the engine refuses a step, the program's in-flight calls fail as the engine shuts down; the SDK
// re-raises each as an unhandled rejection, which printed ~25 lines of gRPC frames after a refused preview.
// The filter drops those, and only those, before the language host's handlers see them.
import { strict as assert } from "node:assert";
import { EventEmitter } from "node:events";
import { isEngineShutdown, quietEngineShutdown } from "../../stack/engine-shutdown";

const shutdown = Object.assign(
  new Error("14 UNAVAILABLE: resource monitor shut down while waiting on output step's done channel"),
  { code: 14, details: "resource monitor shut down while waiting on output step's done channel" },
);

function fakeProcess(env: Record<string, string>) {
  const proc = Object.assign(new EventEmitter(), { env });
  const seen: unknown[] = [];
  proc.on("unhandledRejection", (err: unknown) => seen.push(err));
  return { proc: proc as unknown as NodeJS.Process, emitter: proc as EventEmitter, seen };
}

describe("engine shutdown errors after a refused step", () => {
  it("recognises the monitor's shutdown, not other gRPC or program errors", () => {
    assert.equal(isEngineShutdown(shutdown), true);
    const terminating = Object.assign(new Error("Resource monitor is terminating"), { code: 1 });
    assert.equal(isEngineShutdown(terminating), true);
    assert.equal(
      isEngineShutdown(Object.assign(new Error("14 UNAVAILABLE: connect ECONNREFUSED"), { code: 14 })),
      false,
    );
    assert.equal(isEngineShutdown(new Error("resource monitor shut down")), false, "no gRPC code");
    assert.equal(isEngineShutdown(undefined), false);
  });

  it("under the language host, the handlers no longer see them and still see everything else; installed once", () => {
    const { proc, emitter, seen } = fakeProcess({ PULUMI_NODEJS_MONITOR: "127.0.0.1:1" });
    quietEngineShutdown(proc);
    quietEngineShutdown(proc);
    assert.equal(emitter.listenerCount("unhandledRejection"), 1);
    const other = new Error("a program bug");
    emitter.emit("unhandledRejection", shutdown);
    emitter.emit("unhandledRejection", other);
    assert.deepEqual(seen, [other]);
  });

  it("outside the language host (mocks, test runners) it leaves the handlers alone", () => {
    const { proc, emitter, seen } = fakeProcess({});
    quietEngineShutdown(proc);
    emitter.emit("unhandledRejection", shutdown);
    assert.deepEqual(seen, [shutdown]);
  });
});
