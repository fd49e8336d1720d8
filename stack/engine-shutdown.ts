// Once the engine refuses a step (a provider's check or diff failed), it shuts down its resource monitor
// while the program still has calls in flight, typically the stack's own outputs, which wait on the refused
// resource. The SDK re-raises each failed call as an unhandled rejection on purpose (runtime/resource.js
// runAsyncResourceOp), so after the refusal the user read ~25 lines of gRPC frames and ANSI codes ("14
// UNAVAILABLE: resource monitor shut down while waiting on output step's done channel"), often after the
// useful message. Those errors carry no news: the engine already reports why it stopped. Everything else
// still reaches the SDK's own handlers.

/**
 * A gRPC failure of a call to the engine that is going away (UNAVAILABLE or CANCELLED, as the SDK tests
 * them).
 */
export function isEngineShutdown(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; details?: unknown } | null;
  if (typeof e !== "object" || e === null || (e.code !== 14 && e.code !== 1)) return false;
  const text = `${String(e.message)} ${String(e.details)}`;
  return /resource monitor|monitor is terminating|Channel has been shut down|Cancelled on client/i.test(text);
}

const INSTALLED = Symbol.for("offthegrid.quietEngineShutdown");

/**
 * Wraps the process's current handlers (the language host's) so that they never see an engine-shutdown error.
 * Only under the language host (it exports PULUMI_NODEJS_MONITOR), once: under mocks the test runner owns the
 * handlers, and the program is loaded once per test.
 */
export function quietEngineShutdown(proc: NodeJS.Process = process): void {
  const marks = proc as unknown as Record<symbol, boolean>;
  if (!proc.env.PULUMI_NODEJS_MONITOR || marks[INSTALLED]) return;
  marks[INSTALLED] = true;
  type Handler = (err: unknown, ...rest: unknown[]) => void;
  const emitter = proc as unknown as NodeJS.EventEmitter;
  for (const event of ["unhandledRejection", "uncaughtException"]) {
    const handlers = emitter.listeners(event) as Handler[];
    emitter.removeAllListeners(event);
    for (const handler of handlers)
      emitter.on(event, (err: unknown, ...rest: unknown[]) => {
        if (!isEngineShutdown(err)) handler(err, ...rest);
      });
  }
}
