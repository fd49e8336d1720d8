// `maintenance`: the schema's expired-session cleanup, one short transaction per batch until a batch comes
// back short, so it never holds locks for long and can run while the app is live.
import type { Client } from "pg";
import { assertNotAdmin } from "../../migrator/admin-session";

export async function cleanupSessions(
  client: Client,
  options: { retention: string; batchSize: number; onBatch?: (deleted: number, total: number) => void },
): Promise<{ deleted: number; batches: number; ms: number }> {
  // cleanup_expired_sessions is the owner's function: never run it with admin rights.
  await assertNotAdmin(client, "run the session cleanup", "the app role (postgresUrls.app)");
  const started = Date.now();
  let total = 0;
  let batches = 0;
  for (;;) {
    const { rows } = await client.query("SELECT cleanup_expired_sessions($1::interval, $2::integer) AS n", [
      options.retention,
      options.batchSize,
    ]);
    const n: number = rows[0].n;
    total += n;
    batches++;
    options.onBatch?.(n, total);
    if (n < options.batchSize) break;
  }
  return { deleted: total, batches, ms: Date.now() - started };
}
