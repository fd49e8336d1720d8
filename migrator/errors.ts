// Base of every engine error. Pulumi's closure serializer compiles `super(message)` in an Error subclass to
// `Error.call(this, message)`, which leaves `this.message` empty in the dynamic provider's host; assigning
// message and cause here keeps errors readable both in-process and inside the serialized provider.
export class EngineError extends Error {
  constructor(name: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.message = message;
    this.name = name;
    if (cause !== undefined) this.cause = cause;
    if (!this.stack || !this.stack.includes(message.split("\n")[0]))
      this.stack = `${name}: ${message}\n${new Error().stack?.split("\n").slice(2).join("\n") ?? ""}`;
  }
}
