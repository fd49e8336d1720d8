// What each rule looks for in PostgreSQL's parse tree (libpg_query's JSON, node names as in parsenodes.h).
// One pass over a file's statements in order, so "created earlier in this file" and "validated earlier in
// this file" are known when a statement is judged.
import type { Ast } from "./parser";

export interface RawFinding {
  readonly rule: string;
  /** What the statement does, e.g. "CREATE INDEX on users". */
  readonly subject: string;
}

export interface FileContext {
  /** False for -- migrate:no-transaction files. */
  readonly transaction: boolean;
  readonly createdTables: Set<string>;
  readonly createdIndexes: Set<string>;
  /** Tables with a constraint validated earlier in the file: a SET NOT NULL after it can use the CHECK. */
  readonly validatedTables: Set<string>;
}

export function newContext(transaction: boolean): FileContext {
  return { transaction, createdTables: new Set(), createdIndexes: new Set(), validatedTables: new Set() };
}

const SERIAL = new Set(["serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"]);
/**
 * Functions known not to be volatile, so a DEFAULT calling them is evaluated once and stored in the catalog.
 */
const NOT_VOLATILE = new Set([
  "now",
  "transaction_timestamp",
  "statement_timestamp",
  "current_setting",
  "lower",
  "upper",
  "length",
  "concat",
  "make_interval",
  "to_timestamp",
  "jsonb_build_object",
  "jsonb_build_array",
  "json_build_object",
  "array_fill",
  "abs",
]);

const relName = (rv: Ast): string =>
  rv?.schemaname ? `${rv.schemaname}.${rv.relname}` : (rv?.relname ?? "?");
const last = (names: Ast[] | undefined): string => names?.[names.length - 1]?.String?.sval ?? "";
const hasOption = (options: Ast[] | undefined, name: string) =>
  (options ?? []).some((o) => o?.DefElem?.defname === name);

function isNew(ctx: FileContext, rv: Ast): boolean {
  if (!rv) return false;
  if (ctx.createdTables.has(relName(rv))) return true;
  // An unqualified name and a qualified one may be the same table: exempt rather than guess the search_path.
  for (const t of ctx.createdTables) if (t.split(".").pop() === rv.relname) return true;
  return false;
}

/** Function names called anywhere in an expression tree. */
function calls(node: Ast, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => calls(n, out));
  else if (node && typeof node === "object") {
    if (node.FuncCall) out.push(last(node.FuncCall.funcname));
    for (const v of Object.values(node)) calls(v, out);
  }
  return out;
}

function columnFindings(table: string, col: Ast, out: RawFinding[]): void {
  const type = last(col.typeName?.names);
  const constraints: Ast[] = (col.constraints ?? []).map((c: Ast) => c.Constraint);
  const subject = `ADD COLUMN ${col.colname} on ${table}`;
  const def = constraints.find((c) => c.contype === "CONSTR_DEFAULT");
  const volatile = def ? calls(def.raw_expr).filter((f) => !NOT_VOLATILE.has(f)) : [];
  const generated = constraints.find((c) => c.contype === "CONSTR_GENERATED");
  const identity = constraints.find((c) => c.contype === "CONSTR_IDENTITY");
  if (SERIAL.has(type)) out.push({ rule: "add-column-rewrites-table", subject: `${subject} (${type})` });
  else if (identity) out.push({ rule: "add-column-rewrites-table", subject: `${subject} (identity)` });
  else if (generated)
    out.push({ rule: "add-column-rewrites-table", subject: `${subject} (GENERATED … STORED)` });
  else if (volatile.length)
    out.push({
      rule: "add-column-rewrites-table",
      subject: `${subject} (DEFAULT calls ${volatile.join(", ")})`,
    });
  if (constraints.some((c) => c.contype === "CONSTR_NOTNULL") && !def && !generated && !identity)
    out.push({ rule: "add-required-column", subject: `${subject} NOT NULL without DEFAULT` });
  for (const c of constraints) constraintFinding(table, c, `${subject}: `, out);
}

function constraintFinding(table: string, c: Ast, prefix: string, out: RawFinding[]): void {
  if (c.contype === "CONSTR_FOREIGN" && !c.skip_validation)
    out.push({
      rule: "add-foreign-key-validates",
      subject: `${prefix}FOREIGN KEY on ${table} → ${relName(c.pktable)}`,
    });
  if (c.contype === "CONSTR_CHECK" && !c.skip_validation)
    out.push({ rule: "add-check-validates", subject: `${prefix}CHECK on ${table}` });
  if ((c.contype === "CONSTR_UNIQUE" || c.contype === "CONSTR_PRIMARY") && !c.indexname)
    out.push({
      rule: "add-unique-without-index",
      subject: `${prefix}${c.contype === "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY"} on ${table}`,
    });
}

function alterTable(s: Ast, ctx: FileContext, out: RawFinding[]): void {
  if (s.objtype !== "OBJECT_TABLE") return;
  const table = relName(s.relation);
  const exempt = isNew(ctx, s.relation);
  const found: RawFinding[] = [];
  for (const { AlterTableCmd: cmd } of s.cmds ?? []) {
    if (!cmd) continue;
    switch (cmd.subtype) {
      case "AT_AddColumn":
        columnFindings(table, cmd.def.ColumnDef, found);
        break;
      case "AT_AlterColumnType":
        found.push({ rule: "alter-column-type", subject: `ALTER COLUMN ${cmd.name} TYPE on ${table}` });
        break;
      case "AT_SetNotNull":
        if (!ctx.validatedTables.has(table))
          found.push({ rule: "set-not-null", subject: `ALTER COLUMN ${cmd.name} SET NOT NULL on ${table}` });
        break;
      case "AT_AddConstraint":
        constraintFinding(table, cmd.def.Constraint, "ADD CONSTRAINT ", found);
        break;
      case "AT_ValidateConstraint":
        ctx.validatedTables.add(table);
        break;
      case "AT_DropColumn":
        found.push({ rule: "drop-column", subject: `DROP COLUMN ${cmd.name} on ${table}` });
        break;
    }
  }
  if (!exempt) out.push(...found);
  // ban-char-field is about the type, not the lock: it applies to new tables too.
  charFields(
    table,
    (s.cmds ?? []).map((c: Ast) => c.AlterTableCmd?.def?.ColumnDef),
    out,
  );
}

function charFields(table: string, columns: Ast[], out: RawFinding[]): void {
  for (const col of columns) {
    if (col && last(col.typeName?.names) === "bpchar")
      out.push({
        rule: "ban-char-field",
        subject: `column ${col.colname ?? ""} of ${table} is char(n)`.trim(),
      });
  }
}

/** Judges one statement and records what it creates or validates for the statements after it. */
export function checkStatement(node: Ast, ctx: FileContext): RawFinding[] {
  const out: RawFinding[] = [];
  const [kind] = Object.keys(node ?? {});
  const s = node?.[kind] ?? {};
  const concurrentInTx = (what: string) => {
    if (ctx.transaction) out.push({ rule: "concurrently-in-transaction", subject: `${what} CONCURRENTLY` });
  };
  switch (kind) {
    case "CreateStmt":
      ctx.createdTables.add(relName(s.relation));
      charFields(
        relName(s.relation),
        (s.tableElts ?? []).map((e: Ast) => e.ColumnDef),
        out,
      );
      break;
    case "CreateTableAsStmt":
      if (s.into?.rel) ctx.createdTables.add(relName(s.into.rel));
      break;
    case "IndexStmt":
      if (s.concurrent) concurrentInTx("CREATE INDEX");
      else if (!isNew(ctx, s.relation))
        out.push({ rule: "create-index-non-concurrent", subject: `CREATE INDEX on ${relName(s.relation)}` });
      if (s.idxname && isNew(ctx, s.relation)) ctx.createdIndexes.add(s.idxname);
      break;
    case "DropStmt": {
      const names: string[] = (s.objects ?? []).map((o: Ast) =>
        (o.List?.items ?? []).map((i: Ast) => i.String?.sval).join("."),
      );
      if (s.removeType === "OBJECT_TABLE") {
        const old = names.filter((n) => !isNew(ctx, { relname: n.split(".").pop(), schemaname: undefined }));
        if (old.length) out.push({ rule: "drop-table", subject: `DROP TABLE ${old.join(", ")}` });
      }
      if (s.removeType === "OBJECT_INDEX") {
        if (s.concurrent) concurrentInTx("DROP INDEX");
        const old = names.filter((n) => !ctx.createdIndexes.has(n.split(".").pop()!));
        if (!s.concurrent && old.length)
          out.push({ rule: "drop-index-non-concurrent", subject: `DROP INDEX ${old.join(", ")}` });
      }
      break;
    }
    case "ReindexStmt":
      if (hasOption(s.params, "concurrently")) concurrentInTx("REINDEX");
      else if (!isNew(ctx, s.relation))
        out.push({
          rule: "reindex-non-concurrent",
          subject: `REINDEX ${s.relation ? relName(s.relation) : s.name}`,
        });
      break;
    case "VacuumStmt": {
      const rels: Ast[] = (s.rels ?? []).map((r: Ast) => r.VacuumRelation?.relation);
      if (
        s.is_vacuumcmd &&
        hasOption(s.options, "full") &&
        !(rels.length && rels.every((r) => isNew(ctx, r)))
      )
        out.push({
          rule: "vacuum-full",
          subject: `VACUUM FULL ${rels.map(relName).join(", ") || "(every table)"}`,
        });
      break;
    }
    case "ClusterStmt":
      if (!isNew(ctx, s.relation))
        out.push({
          rule: "cluster",
          subject: `CLUSTER ${s.relation ? relName(s.relation) : "(every table)"}`,
        });
      break;
    case "LockStmt": {
      const old = (s.relations ?? []).map((r: Ast) => r.RangeVar).filter((r: Ast) => !isNew(ctx, r));
      if (old.length) out.push({ rule: "lock-table", subject: `LOCK TABLE ${old.map(relName).join(", ")}` });
      break;
    }
    case "RenameStmt":
      if (isNew(ctx, s.relation)) break;
      if (s.renameType === "OBJECT_COLUMN")
        out.push({ rule: "rename-column", subject: `RENAME COLUMN ${s.subname} of ${relName(s.relation)}` });
      if (s.renameType === "OBJECT_TABLE")
        out.push({ rule: "rename-table", subject: `RENAME TABLE ${relName(s.relation)} TO ${s.newname}` });
      break;
    case "AlterTableStmt":
      alterTable(s, ctx, out);
      break;
  }
  return out;
}

/**
 * Every declaration above, as the findings cache's key takes them (cache.ts): an edit to any check, helper or
 * table changes the key, so no answer of the old code is reused. A unit test keeps the list complete.
 */
export const CHECKS_CODE: readonly unknown[] = [
  newContext,
  SERIAL,
  NOT_VOLATILE,
  relName,
  last,
  hasOption,
  isNew,
  calls,
  columnFindings,
  constraintFinding,
  alterTable,
  charFields,
  checkStatement,
];
