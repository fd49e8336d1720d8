// Cross-key rules: once every key parsed on its own, each concern checks the keys it owns against the others
// (stack/<concern>/keys.ts exports them). Problems read like the per-key ones: "Invalid value for K: V.
// Allowed values are: …" or "Missing required config key …", naming the key to change.
import type { RawSettings } from "./keys";

export interface RuleContext {
  /** Every key's parsed value; undefined where the key does not apply to this platform. */
  readonly s: RawSettings;
  /**
   * The whole config map as Pulumi hands it over (other namespaces too: aws:region, aws:allowedAccountIds).
   */
  readonly raw: Readonly<Record<string, string>>;
  readonly fq: (key: string) => string;
  /** The stack's name (`pulumi stack init`): AWS derives resource names from it. */
  readonly stack: string;
  invalid(key: string, value: unknown, allowed: string): void;
  problem(text: string): void;
}

/** A concern's rules for one platform. */
export type Rules = (c: RuleContext) => void;

export function runRules(
  rules: readonly Rules[],
  s: RawSettings,
  raw: Readonly<Record<string, string>>,
  fq: (key: string) => string,
  stack: string,
): string[] {
  const problems: string[] = [];
  const c: RuleContext = {
    s,
    raw,
    fq,
    stack,
    invalid: (key, value, allowed) =>
      problems.push(
        `Invalid value for ${fq(key)}: ${JSON.stringify(value)}. Allowed values are: ${allowed}.`,
      ),
    problem: (text) => problems.push(text),
  };
  for (const rule of rules) rule(c);
  return problems;
}
