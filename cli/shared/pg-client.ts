// Every PostgreSQL client the CLIs, the tests and the bench open (the migrator's are made by its own
// connectWithRetry, which does the same): a pg Client emits 'error' when the server ends its session while
// it is idle (a container replaced, pg_terminate_backend, a restart), and without a listener Node throws it
// as an uncaught exception that kills the command (or fails whichever test is running). With one, the
// failure surfaces at the client's next query. Lint (@typescript-eslint/no-restricted-imports) refuses
// constructing a Client anywhere else.
import { Client, type ClientConfig } from "pg";

export function pgClient(config?: string | ClientConfig): Client {
  const client = new Client(config);
  client.on("error", () => undefined);
  return client;
}
