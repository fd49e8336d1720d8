// What the bootstrap could not do (migrator/bootstrap.ts `warnings`: e.g. on RDS, REVOKEs the master may not
// make) as the SchemaMigrations provider reports it: in its outputs, stored in plaintext in the state (no
// input of that key is secret), so no password or verifier may ever be in the text. Bundled with the
// provider: no Pulumi import.

const REDACTED = "[redacted]";

/** Verifier shapes PostgreSQL stores (`pg_authid.rolpassword`): SCRAM-SHA-256 and the legacy md5. */
const VERIFIERS = [/SCRAM-SHA-256\$[^\s'",;)]+/g, /\bmd5[0-9a-f]{32}\b/g];

/**
 * The warnings with every given secret and anything shaped like a verifier replaced by `[redacted]`. The
 * bootstrap's own texts hold none, but some carry a server error message verbatim, and a future one might
 * quote a statement.
 */
export function redactWarnings(warnings: readonly string[], secrets: readonly unknown[]): string[] {
  const known = secrets.filter((s): s is string => typeof s === "string" && s.length > 0);
  // Longest first, so a secret containing another is replaced whole.
  known.sort((a, b) => b.length - a.length);
  return warnings.map((warning) => {
    let text = String(warning);
    for (const secret of known) text = text.split(secret).join(REDACTED);
    for (const shape of VERIFIERS) text = text.replace(shape, REDACTED);
    return text;
  });
}

/**
 * The `warnings` `check` puts in the checked inputs. A preview shows a dynamic resource's checked inputs as
 * its outputs, so an output-only key would show as removed in every preview of an update. The program sends
 * the unknown value in a preview (what the next bootstrap reports is not known before it runs) and `[]` in an
 * `up` (where the engine refuses unknowns from `check`; the outputs then carry what the bootstrap reported).
 */
export function checkedWarnings(value: unknown, unknown: string): string[] | string {
  return value === unknown ? unknown : [];
}
