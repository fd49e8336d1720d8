// What every refusal and preview warning must be: one short paragraph a person reads, nothing a machine
// printed.
import { strict as assert } from "node:assert";

/** No stack frame, ANSI escape, gRPC chatter, exception name or line break. */
export function assertOneParagraph(text: string): void {
  assert.doesNotMatch(text, /\x1b\[|\n|^\s+at |rpc error|grpc|unhandled/im, text);
  assert.doesNotMatch(text, /\b[A-Z]\w*Error\b|Error: /, text);
}
