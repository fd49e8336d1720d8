// The intended privilege matrix of the migrated schema: every object, what each of our roles and PUBLIC may
// do. test/integration/privileges.test.ts reads the real catalog and compares it with this table, so a
// migration that adds an object fails the test until the object is classified here (and a grant nobody meant
// fails it too).

export interface PrivilegeCells {
  readonly ownedBy: string;
  readonly owner: string;
  readonly app: string;
  readonly readonly: string;
  readonly PUBLIC: string;
  readonly definer?: boolean;
  readonly searchPath?: string;
}

export interface ObservedPrivileges extends PrivilegeCells {
  readonly object: string;
}

const OWNER = "offthegrid_owner";
const ALL = "SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER";
const DML = "SELECT,INSERT,UPDATE,DELETE";
/** Every function pins this: pg_temp last, so a caller's temporary table never shadows a schema table. */
export const PINNED_SEARCH_PATH = "public, pg_temp";

const appTable = { ownedBy: OWNER, owner: ALL, app: DML, readonly: "SELECT", PUBLIC: "" };
/** Rollups and the views over them (written only by the SECURITY DEFINER triggers), and the curriculum. */
const readOnlyForApp = { ownedBy: OWNER, owner: ALL, app: "SELECT", readonly: "SELECT", PUBLIC: "" };
const fn = (definer: boolean, app = "") => ({
  ownedBy: OWNER,
  owner: "EXECUTE",
  app,
  readonly: "",
  PUBLIC: "",
  definer,
  searchPath: PINNED_SEARCH_PATH,
});

export const INTENDED_PRIVILEGES: Readonly<Record<string, PrivilegeCells>> = {
  // TEMPORARY only for the owner: temporary tables are how a session shadows schema tables.
  database: { ownedBy: "admin", owner: "CONNECT,TEMPORARY", app: "CONNECT", readonly: "CONNECT", PUBLIC: "" },
  // PUBLIC keeps PostgreSQL's USAGE on `public`; only our three roles can CONNECT at all.
  "schema public": {
    ownedBy: OWNER,
    owner: "USAGE,CREATE",
    app: "USAGE",
    readonly: "USAGE",
    PUBLIC: "USAGE",
  },
  "schema migrations": { ownedBy: OWNER, owner: "USAGE,CREATE", app: "", readonly: "USAGE", PUBLIC: "" },
  // The stack marker: the admin's, readable by the owner (migrate down guard) and read-only role, nobody
  // else.
  "schema stack": { ownedBy: "admin", owner: "USAGE", app: "", readonly: "USAGE", PUBLIC: "" },
  // pg_stat_statements: read by the read-only role (metrics), reset by the admin; no one else may create
  // here.
  "schema monitoring": { ownedBy: "admin", owner: "", app: "", readonly: "USAGE", PUBLIC: "" },
  "table stack.marker": { ownedBy: "admin", owner: "SELECT", app: "", readonly: "SELECT", PUBLIC: "" },
  "table migrations.history": { ownedBy: OWNER, owner: ALL, app: "", readonly: "SELECT", PUBLIC: "" },
  "table public.users": appTable,
  // The curriculum the app is graded by: content, kept by the owner (sql/005), read by the app.
  "table public.education_modules": readOnlyForApp,
  "table public.education_module_prerequisites": readOnlyForApp,
  "table public.user_module_progress": appTable,
  "table public.practice_sessions": appTable,
  "table public.user_achievements": appTable,
  "table public.user_grids": appTable,
  "table public.user_sessions": appTable,
  "table public.user_education_stats": readOnlyForApp,
  "table public.user_trading_stats": readOnlyForApp,
  "view public.user_education_summary": readOnlyForApp,
  "view public.user_trading_summary": readOnlyForApp,
  // Trigger functions need no EXECUTE grant to fire; the definer helpers run as the owner.
  "function set_updated_at()": fn(false),
  "function enforce_module_unlock()": fn(false),
  "function cleanup_expired_sessions(interval,integer)": fn(false, "EXECUTE"),
  // sql/004 replaced 001's row-level rollup triggers with statement-level ones over transition tables.
  "function create_user_stats_rows()": fn(true),
  "function refresh_education_stats_for(uuid[])": fn(true),
  "function refresh_education_readiness()": fn(true),
  "function track_module_progress_rollups()": fn(true),
  "function track_curriculum()": fn(true),
  "function track_grid_rollups()": fn(true),
  // Default privileges: what objects a later migration creates get without a GRANT (direct grants, sorted).
  // Functions: EXECUTE for nobody but the owner, so a new function is granted explicitly or not at all.
  "default functions of offthegrid_owner": {
    ownedBy: OWNER,
    owner: "EXECUTE",
    app: "",
    readonly: "",
    PUBLIC: "",
  },
  "default tables of offthegrid_owner in public": {
    ownedBy: OWNER,
    owner: "",
    app: "DELETE,INSERT,SELECT,UPDATE",
    readonly: "SELECT",
    PUBLIC: "",
  },
  "default sequences of offthegrid_owner in public": {
    ownedBy: OWNER,
    owner: "",
    app: "SELECT,USAGE",
    readonly: "SELECT",
    PUBLIC: "",
  },
  "default tables of offthegrid_owner in migrations": {
    ownedBy: OWNER,
    owner: "",
    app: "",
    readonly: "SELECT",
    PUBLIC: "",
  },
};

/** Every difference between the catalog and the intended matrix, one readable line each. */
export function privilegeProblems(
  observed: readonly ObservedPrivileges[],
  intended: Readonly<Record<string, PrivilegeCells>> = INTENDED_PRIVILEGES,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { object, ...cells } of observed) {
    seen.add(object);
    const want = intended[object];
    if (!want) {
      problems.push(
        `${object} is not classified: add it to INTENDED_PRIVILEGES in stack/schema/privileges.ts with the grants each role needs (it has ${JSON.stringify(cells)})`,
      );
      continue;
    }
    for (const key of Object.keys(want) as (keyof PrivilegeCells)[]) {
      if (cells[key] !== want[key])
        problems.push(
          `${object}: ${key} is ${JSON.stringify(cells[key])}, intended ${JSON.stringify(want[key])}`,
        );
    }
    if (object.startsWith("function ") && cells.searchPath !== PINNED_SEARCH_PATH)
      problems.push(`${object}: search_path must be pinned to "${PINNED_SEARCH_PATH}" (SET search_path = …)`);
  }
  for (const object of Object.keys(intended))
    if (!seen.has(object)) problems.push(`${object} is in the intended matrix but not in the database`);
  return problems;
}

/** The matrix as a Markdown table, for docs/security.md (a unit test keeps the two identical). */
export function renderPrivilegeTable(
  intended: Readonly<Record<string, PrivilegeCells>> = INTENDED_PRIVILEGES,
): string {
  const cell = (v: string) => (v === "" ? "—" : v === ALL ? "all" : v.replace(/,/g, ", "));
  const rows = Object.entries(intended).map(
    ([object, c]) =>
      `| \`${object}\` | ${c.ownedBy} | ${cell(c.owner)} | ${cell(c.app)} | ${cell(c.readonly)} | ${cell(c.PUBLIC)} |`,
  );
  return [
    "| object | owned by | offthegrid_owner | offthegrid_app | offthegrid_readonly | PUBLIC |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
