// Refuses, before anything is planned, a config change that would make AWS replace a protected store (or that
// AWS refuses half-way through an update): the engine hands a provider's `check` the previous inputs, which
// the program itself never sees. `protect` would stop a replacement too, but only after planning it, and
// without saying which setting caused it. The provider, prebuilt into its own bundle
// (stack/dynamic/providers.ts); the resource is replacement-guard.ts.

/** A config key and the ForceNew property of a protected resource it feeds. */
export interface GuardedValue {
  readonly value: string;
  /** e.g. "the RDS primary (dbName)". */
  readonly replaces: string;
  /** false: recorded only, so a later deployment that enforces it compares against this one. Default true. */
  readonly enforced?: boolean;
  /** Replaces the standard explanation ("that replaces …, which is protected …") in the refusal. */
  readonly because?: string;
  /**
   * An empty value means "no such resource": going from or to empty creates or deletes it, which is no
   * replacement.
   */
  readonly emptyMeansAbsent?: boolean;
}

export interface ReplacementGuardArgs {
  /** By config key name (as the user sets it). */
  readonly guarded: Readonly<Record<string, GuardedValue>>;
}

type Guarded = Record<string, GuardedValue | undefined>;

/** Exported for testing: the check the engine runs on every preview and update. */
export const replacementGuardProvider = {
  async check(olds: { guarded?: Guarded }, news: { guarded: Guarded }) {
    const failures: { property: string; reason: string }[] = [];
    for (const [key, next] of Object.entries(news.guarded ?? {})) {
      const before = olds?.guarded?.[key];
      if (!before || !next || before.value === next.value || next.enforced === false) continue;
      if (next.emptyMeansAbsent && (before.value === "" || next.value === "")) continue;
      failures.push({
        property: "guarded",
        reason:
          `offthegrid-database:${key} changed from "${before.value}" to "${next.value}": ` +
          (next.because ??
            `that replaces ${next.replaces}, which is protected. Set it back; to replace on purpose, follow ` +
              'docs/aws.md "Replacing a protected resource".'),
      });
    }
    return { inputs: news, failures };
  },
  async create(inputs: { guarded: Guarded }) {
    return { id: "replacement-guard", outs: inputs };
  },
  async update(_id: string, _olds: unknown, news: { guarded: Guarded }) {
    return { outs: news };
  },
  async diff(_id: string, olds: { guarded?: Guarded }, news: { guarded: Guarded }) {
    return { changes: JSON.stringify(olds?.guarded ?? {}) !== JSON.stringify(news.guarded), replaces: [] };
  },
};
