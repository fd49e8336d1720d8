// A mistake in how a command was called (exit code "usage"), as opposed to a failure while running it.
export class UsageError extends Error {}
