// A program that evaluates in one synchronous block sends nothing to the engine until the block ends, so the
// engine cannot start a provider plugin (0.6-0.8 s each, one after another) while the program is still
// loading modules. Awaiting this after the first resources lets their registrations go out first.
import type * as pulumi from "@pulumi/pulumi";

/**
 * Resolves once `resource` is registered and the registrations its constructor queued behind it (children
 * wait for their parent's URN) have been sent.
 */
export function sentToEngine(resource: pulumi.Resource): Promise<void> {
  return new Promise((resolve) => resource.urn.apply(() => setImmediate(resolve)));
}
