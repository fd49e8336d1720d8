// `reset`: the seed's "DANGER" reset, for dev only. A loopback address proves nothing (a tunnel to prod is
// loopback too), so it trusts only the marker the stack's bootstrap writes into the database, plus --yes. It
// runs logged in as the schema owner (DATABASE_URL, as `migrate` does), never as the admin: an admin session
// acting as the owner (`-c role=…`) runs the files' SQL and reads owner-controlled objects with superuser
// behind it, and one `SET ROLE NONE` (or a view standing in for migrations.history) drops back to it.
import type { Client, ClientConfig } from "pg";
import { MigrationSource, migrateDown, migrateUp, readHistory, DEFAULT_HISTORY } from "../../migrator";
import { readMarker } from "./guards";
import { assertNotAdmin } from "../../migrator/admin-session";

export async function resetDatabase(
  owner: Client,
  ownerConfig: ClientConfig,
  migrations: readonly MigrationSource[],
  options: { yes: boolean },
): Promise<{ rolledBack: number; applied: number; stack: string }> {
  await assertNotAdmin(owner, "reset", "the schema owner (postgresUrls.owner)");
  const marker = await readMarker(owner);
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
  const applied = (await readHistory(owner, DEFAULT_HISTORY)).filter((r) => r.status === "applied").length;
  const refuseAdminLogin = "the schema owner (postgresUrls.owner)";
  const down = await migrateDown({ connection: ownerConfig, migrations, refuseAdminLogin }, applied);
  if (down.error) throw down.error;
  const up = await migrateUp({ connection: ownerConfig, migrations, refuseAdminLogin });
  if (up.error) throw up.error;
  return { rolledBack: down.results.length, applied: up.results.length, stack: marker.stack };
}
