// Judges a config value against the one the stack last applied, before anything is planned: the engine hands
// a provider's `check` the previous inputs (also in `preview`), which the program itself never sees. A
// refusal stops the deployment at this resource; whatever depends on it is never registered, so nothing is
// replaced or deleted. The previous values also come back to the program as `applied` (see `check`), so it
// can warn in preview about what a change will cut off. Pure (the engine serializes the provider); the
// resource is stack/config-guard.ts.

/**
 * One config key as the guard records it. Texts may contain `{applied}` and `{value}`, filled in at check
 * time.
 */
export interface GuardedKey {
  readonly value: number | string;
  /** Refusal when the value is below the applied one. */
  readonly refuseDecrease?: string;
  /**
   * Refusal when the value differs from the applied one, or nothing is applied (a new or destroyed stack).
   */
  readonly refuseChange?: string;
}

export type GuardedKeys = Readonly<Record<string, GuardedKey>>;

interface GuardInputs {
  readonly keys?: GuardedKeys;
  readonly applied?: Readonly<Record<string, number | string>>;
}

const fill = (text: string, applied: unknown, value: unknown) =>
  text.replace(/\{applied\}/g, String(applied)).replace(/\{value\}/g, String(value));

/** Exported for testing: the refusals `check` reports, one paragraph each. */
export function guardRefusals(olds: GuardInputs | undefined, news: GuardInputs): string[] {
  const refusals: string[] = [];
  for (const [key, next] of Object.entries(news.keys ?? {})) {
    const before = olds?.keys?.[key]?.value;
    if (next.refuseChange && before !== next.value)
      refusals.push(fill(next.refuseChange, before ?? "nothing", next.value));
    else if (
      next.refuseDecrease &&
      typeof before === "number" &&
      typeof next.value === "number" &&
      next.value < before
    )
      refusals.push(fill(next.refuseDecrease, before, next.value));
  }
  return refusals;
}

/** The values this guard last applied, by key. */
function valuesOf(inputs: GuardInputs | undefined): Record<string, number | string> {
  return Object.fromEntries(Object.entries(inputs?.keys ?? {}).map(([k, g]) => [k, g.value]));
}

/** Exported for testing: the provider the engine runs on every preview and update. */
export const configGuardProvider = {
  async check(olds: GuardInputs | undefined, news: GuardInputs) {
    // An empty property makes the engine print the reason alone ("… has a problem: <reason>"), not the value.
    const failures = guardRefusals(olds, news).map((reason) => ({ property: "", reason }));
    // A preview shows checked inputs as the new outputs: `applied` then carries the previous values.
    const applied = olds?.keys ? valuesOf(olds) : valuesOf(news);
    // Only the values are kept: the refusal texts follow this machine's ports and would rewrite the state.
    const keys = Object.fromEntries(Object.entries(valuesOf(news)).map(([k, value]) => [k, { value }]));
    return { inputs: { keys, applied }, failures };
  },
  async diff(_id: string, olds: GuardInputs, news: GuardInputs) {
    return { changes: JSON.stringify(valuesOf(olds)) !== JSON.stringify(valuesOf(news)), replaces: [] };
  },
  async create(inputs: GuardInputs) {
    return { id: "config-guard", outs: { keys: inputs.keys, applied: valuesOf(inputs) } };
  },
  async update(_id: string, _olds: unknown, news: GuardInputs) {
    return { outs: { keys: news.keys, applied: valuesOf(news) } };
  },
};
