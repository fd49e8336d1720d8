// `reset`: the seed's "DANGER" reset, for dev only. A loopback address proves nothing (a tunnel to prod is
// loopback too), so it trusts only the marker the stack's bootstrap writes into the database, plus --yes.
import type { Client, ClientConfig } from "pg";
import { MigrationSource, migrateDown, migrateUp } from "../../migrator";
import { SCHEMA_ROLES } from "../../lib/postgres/roles";
import { readMarker } from "./guards";

export async function resetDatabase(
  admin: Client,
  adminConfig: ClientConfig,
  migrations: readonly MigrationSource[],
  options: { yes: boolean },
): Promise<{ rolledBack: number; applied: number; stack: string }> {
  const marker = await readMarker(admin);
  if (!marker || marker.environment !== "dev") {
    throw new Error(
      `Refusing to reset: this database is ${marker ? `marked environment "${marker.environment}" (stack ${marker.stack})` : "not marked by a dev stack (no stack.marker)"}. ` +
        "reset only runs on databases the dev stack created.",
    );
  }
  if (!options.yes)
    throw new Error(
      `Refusing to reset dev stack ${marker.stack} without --yes: it drops every table and all data.`,
    );
  // As the admin, but acting as the schema owner, so the re-created objects have the usual owner and grants.
  const asOwner: ClientConfig = { ...adminConfig, options: `-c role=${SCHEMA_ROLES.owner.name}` };
  const { rows } = await admin.query(
    "SELECT count(*)::int AS n FROM migrations.history WHERE status = 'applied'",
  );
  const down = await migrateDown({ connection: asOwner, migrations }, rows[0].n);
  const up = await migrateUp({ connection: asOwner, migrations });
  return { rolledBack: down.length, applied: up.length, stack: marker.stack };
}
