// The upgrade from single login roles (one LOGIN role per logical role, as main's bootstrap made them) to
// alternating members: the old role becomes the NOLOGIN group, but a running app still holds its URL. So the
// group keeps its LOGIN and password through the upgrade and until that role's next rotation, like any
// previous member would. The SchemaMigrations state carries the decision from one `up` to the next.

/** What the state recorded for a role: main's `{ name, password }`, or the pair (`group`, members, epoch). */
export interface RecordedRole {
  readonly group?: string;
  readonly name?: string;
}

export interface RecordedState {
  readonly roles?: Readonly<Record<string, RecordedRole | undefined>>;
  /** Group → the epoch during which its legacy login stays valid. */
  readonly legacyLogins?: Readonly<Record<string, number>>;
}

/**
 * Groups whose own login stays valid after this apply, with the epoch it stays valid for. A fresh resource
 * (no previous state) has no legacy login: every password is new then anyway.
 */
export function legacyLogins(
  roles: Readonly<Record<string, { readonly group: string; readonly epoch: number }>>,
  previous: RecordedState | undefined,
): Record<string, number> {
  const kept: Record<string, number> = {};
  if (!previous) return kept;
  for (const [key, { group, epoch }] of Object.entries(roles)) {
    const old = previous.roles?.[key];
    const upgrading = old !== undefined && old.group === undefined && old.name === group;
    if (upgrading || previous.legacyLogins?.[group] === epoch) kept[group] = epoch;
  }
  return kept;
}
