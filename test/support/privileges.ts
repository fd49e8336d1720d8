// Reads every privilege the schema grants, per role and PUBLIC, from the catalog of a migrated database.
import type { Client } from "pg";
import type { ObservedPrivileges } from "../../stack/schema/privileges";
import { ADMIN_ROLE, SCHEMA_ROLES } from "../../stack/credentials/roles";

const ROLE_COLUMNS = {
  owner: SCHEMA_ROLES.owner.name,
  app: SCHEMA_ROLES.app.name,
  readonly: SCHEMA_ROLES.readonly.name,
} as const;
const SCHEMAS = ["public", "migrations", "stack", "monitoring"];
const TABLE_PRIVS = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"];

// Extension members (pg_stat_statements) keep the grants their extension script gives them.
const NOT_EXTENSION = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

const list = (privs: string[], has: (p: string) => string) =>
  `concat_ws(',', ${privs.map((p) => `CASE WHEN ${has(p)} THEN '${p}' END`).join(", ")})`;

function publicGrants(acl: string, kind: string, owner: string): string {
  return `coalesce((SELECT string_agg(a.privilege_type, ',' ORDER BY a.privilege_type)
             FROM aclexplode(coalesce(${acl}, acldefault('${kind}', ${owner}))) a WHERE a.grantee = 0), '')`;
}

export async function readPrivileges(c: Client): Promise<ObservedPrivileges[]> {
  const roleCols = (has: (role: string, p: string) => string, privs: string[]) =>
    Object.entries(ROLE_COLUMNS)
      .map(([col, role]) => `${list(privs, (p) => has(role, p))} AS "${col}"`)
      .join(", ");
  const relations = await c.query(
    `SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'matview' ELSE 'table' END
              || ' ' || n.nspname || '.' || c.relname AS object,
            pg_get_userbyid(c.relowner) AS "ownedBy",
            ${roleCols((r, p) => `has_table_privilege('${r}', c.oid, '${p}')`, TABLE_PRIVS)},
            ${publicGrants("c.relacl", "r", "c.relowner")} AS "PUBLIC"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${NOT_EXTENSION("pg_class", "c.oid")}`,
    [SCHEMAS],
  );
  const columns = await c.query(
    `SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname AS object, pg_get_userbyid(c.relowner) AS "ownedBy",
            array_to_string(a.attacl, ' ') AS owner, '' AS app, '' AS readonly, '' AS "PUBLIC"
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1) AND a.attacl IS NOT NULL`,
    [SCHEMAS],
  );
  const functions = await c.query(
    `SELECT 'function ' || p.oid::regprocedure::text AS object, pg_get_userbyid(p.proowner) AS "ownedBy",
            ${roleCols((r) => `has_function_privilege('${r}', p.oid, 'EXECUTE')`, ["EXECUTE"])},
            ${publicGrants("p.proacl", "f", "p.proowner")} AS "PUBLIC",
            p.prosecdef AS definer,
            coalesce((SELECT substr(s, 13) FROM unnest(p.proconfig) s WHERE s LIKE 'search_path=%'), '') AS "searchPath"
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = ANY($1) AND ${NOT_EXTENSION("pg_proc", "p.oid")}`,
    [SCHEMAS],
  );
  const schemas = await c.query(
    `SELECT 'schema ' || n.nspname AS object, pg_get_userbyid(n.nspowner) AS "ownedBy",
            ${roleCols((r, p) => `has_schema_privilege('${r}', n.oid, '${p}')`, ["USAGE", "CREATE"])},
            ${publicGrants("n.nspacl", "n", "n.nspowner")} AS "PUBLIC"
       FROM pg_namespace n WHERE n.nspname = ANY($1)`,
    [SCHEMAS],
  );
  const database = await c.query(
    `SELECT 'database' AS object, CASE WHEN d.datdba = 'pg_database_owner'::regrole THEN 'pg_database_owner'
            ELSE pg_get_userbyid(d.datdba) END AS "ownedBy",
            ${roleCols((r, p) => `has_database_privilege('${r}', d.oid, '${p}')`, ["CONNECT", "TEMPORARY", "CREATE"])},
            ${publicGrants("d.datacl", "d", "d.datdba")} AS "PUBLIC"
       FROM pg_database d WHERE d.datname = current_database()`,
  );
  // What objects created later will get: a default privilege nobody classified fails the comparison too.
  const defaults = await c.query(
    `SELECT 'default ' || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
              WHEN 'T' THEN 'types' ELSE 'schemas' END || ' of ' || pg_get_userbyid(d.defaclrole)
              || coalesce(' in ' || n.nspname, '') AS object,
            pg_get_userbyid(d.defaclrole) AS "ownedBy",
            ${Object.entries(ROLE_COLUMNS)
              .map(
                ([col, role]) => `coalesce((SELECT string_agg(a.privilege_type, ',' ORDER BY a.privilege_type)
                   FROM aclexplode(d.defaclacl) a WHERE a.grantee = '${role}'::regrole), '') AS "${col}"`,
              )
              .join(", ")},
            coalesce((SELECT string_agg(a.privilege_type, ',' ORDER BY a.privilege_type)
                        FROM aclexplode(d.defaclacl) a WHERE a.grantee = 0), '') AS "PUBLIC"
       FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace`,
  );
  return [
    ...database.rows,
    ...schemas.rows,
    ...relations.rows,
    ...columns.rows,
    ...functions.rows,
    ...defaults.rows,
  ]
    .map((r) => ({ ...r, ownedBy: r.ownedBy === ADMIN_ROLE.name ? "admin" : r.ownedBy }))
    .sort((a, b) => a.object.localeCompare(b.object));
}
