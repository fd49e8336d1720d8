// The one place identifiers and literals are quoted. Values normally travel as $1 parameters; these exist
// for the statements PostgreSQL does not parameterize (DDL, ALTER ROLE … PASSWORD, multi-statement batches).

export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(name)) {
    throw new Error(`Refusing identifier ${JSON.stringify(name)}: use letters, digits and _ (at most 63)`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}

export function literal(value: string): string {
  if (value.includes("\0")) throw new Error("Refusing a literal containing a NUL byte");
  return `'${value.replace(/'/g, "''")}'`;
}

export interface TableName {
  readonly schema: string;
  readonly table: string;
}

export function qualified(t: TableName): string {
  return `${ident(t.schema)}.${ident(t.table)}`;
}
