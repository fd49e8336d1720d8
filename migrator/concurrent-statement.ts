// The statements of a no-transaction file that are not atomic: each commits internally more than once, so a
// failure can leave part of it behind. PostgreSQL's parser says which kind a statement is and what it names.
//   CREATE INDEX CONCURRENTLY      an INVALID index (of the name given, or one the server chose)
//   REINDEX … CONCURRENTLY         INVALID <index>_ccnew copies (before the swap), <index>_ccold (after it)
//   DROP INDEX CONCURRENTLY        the index, now INVALID, still there
//   ALTER TABLE … DETACH PARTITION … CONCURRENTLY   the partition "pending detach"
//   CALL, DO                       whatever the procedure or block committed before it failed
// Every other statement runs in autocommit as one transaction: it commits whole or not at all.
import { loadParser, type Ast } from "./lint/parser";

export interface Rel {
  readonly schema?: string;
  readonly name: string;
}

export type ConcurrentKind =
  | { readonly kind: "create-index"; readonly table: Rel; readonly index?: Rel }
  | { readonly kind: "reindex" }
  | { readonly kind: "drop-index"; readonly indexes: readonly Rel[] }
  | { readonly kind: "detach-partition"; readonly parent: Rel; readonly partition: Rel }
  | { readonly kind: "commits-inside"; readonly what: "CALL" | "DO" };

const rel = (rv: Ast): Rel => ({ ...(rv.schemaname ? { schema: rv.schemaname } : {}), name: rv.relname });

/** The kind of a statement that can leave part of itself behind, or undefined for an atomic one. */
export async function concurrentKind(text: string): Promise<ConcurrentKind | undefined> {
  let node: Ast;
  try {
    node = (await loadParser())(text);
  } catch {
    return undefined; // the server will refuse it with its own message
  }
  const [type] = Object.keys(node ?? {});
  const s = node?.[type];
  switch (type) {
    case "IndexStmt":
      if (!s.concurrent) return undefined;
      return {
        kind: "create-index",
        table: rel(s.relation),
        // The index lives in its table's schema.
        ...(s.idxname ? { index: { ...rel(s.relation), name: s.idxname } } : {}),
      };
    case "ReindexStmt":
      return (s.params ?? []).some((p: Ast) => p?.DefElem?.defname === "concurrently")
        ? { kind: "reindex" }
        : undefined;
    case "DropStmt":
      if (s.removeType !== "OBJECT_INDEX" || !s.concurrent) return undefined;
      return {
        kind: "drop-index",
        indexes: (s.objects ?? []).map((o: Ast) => {
          const parts: string[] = (o.List?.items ?? []).map((i: Ast) => i.String?.sval);
          const name = parts[parts.length - 1];
          return parts.length > 1 ? { schema: parts[parts.length - 2], name } : { name };
        }),
      };
    case "AlterTableStmt": {
      const detach = (s.cmds ?? [])
        .map((c: Ast) => c.AlterTableCmd)
        .find((c: Ast) => c?.subtype === "AT_DetachPartition" && c.def?.PartitionCmd?.concurrent);
      return detach
        ? { kind: "detach-partition", parent: rel(s.relation), partition: rel(detach.def.PartitionCmd.name) }
        : undefined;
    }
    case "CallStmt":
      return { kind: "commits-inside", what: "CALL" };
    case "DoStmt":
      return { kind: "commits-inside", what: "DO" };
  }
  return undefined;
}

/**
 * Statements whose only table lock is SHARE UPDATE EXCLUSIVE, which no read or write of the app conflicts
 * with: their long waits are for older transactions to end (CREATE INDEX, "Building Indexes Concurrently"),
 * and while they wait nothing of the app queues behind them. lock_timeout exists to keep the app's queue
 * short, so it does not apply to them; statement_timeout bounds them instead.
 */
export function waitsWithoutBlocking(k: ConcurrentKind | undefined): boolean {
  return k?.kind === "create-index" || k?.kind === "reindex" || k?.kind === "drop-index";
}
