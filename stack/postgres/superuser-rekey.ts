// The dev PostgreSQL container's entrypoint wrapper. The official image reads POSTGRES_PASSWORD_FILE only
// when the data volume is empty, and the volume outlives `pulumi destroy`: after destroy + up (new generated
// password) or an admin rotation, nothing could log in as the superuser any more. Before every start on
// existing data, the wrapper sets the superuser's SCRAM verifier from an uploaded file, in single-user mode
// (no network, no plaintext).
import { createHmac } from "node:crypto";
import { scramSha256Verifier } from "../../migrator/scram";

export const REKEY_ENTRYPOINT = "/usr/local/bin/offthegrid-entrypoint.sh";
export const VERIFIER_FILE = "/run/secrets/postgres-superuser-verifier";

export function renderRekeyEntrypoint(): string {
  return [
    "#!/bin/sh",
    // The file's path before the re-cut into stack/: the text is uploaded into the container, and any change
    // to it replaces every running dev PostgreSQL container.
    "# Rendered by lib/postgres/superuser-rekey.ts; see there for why.",
    "set -eu",
    'if [ -s "$PGDATA/PG_VERSION" ] && [ -n "${POSTGRES_SUPERUSER_VERIFIER_FILE:-}" ]; then',
    '  verifier="$(cat "$POSTGRES_SUPERUSER_VERIFIER_FILE")"',
    `  printf 'ALTER ROLE "%s" PASSWORD '\\''%s'\\'';\\n' "$POSTGRES_USER" "$verifier" |`,
    '    gosu postgres postgres --single -D "$PGDATA" -c log_min_messages=warning postgres >/dev/null',
    "fi",
    'exec docker-entrypoint.sh "$@"',
    "",
  ].join("\n");
}

/**
 * The verifier with a salt derived from the password: a random salt would change the uploaded file, and so
 * replace the container, on every `pulumi up`.
 */
export function stableVerifier(password: string): string {
  const salt = createHmac("sha256", password)
    .update("offthegrid-dev-superuser-salt")
    .digest()
    .subarray(0, 16);
  return scramSha256Verifier(password, 4096, salt);
}
