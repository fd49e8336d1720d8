// A mistake in how a command was called (exit code "usage"), as opposed to a failure while running it: the
// one UsageError of both CLIs (cli/shared/program.ts), re-exported for the ops helpers.
export { UsageError } from "../shared/program";
