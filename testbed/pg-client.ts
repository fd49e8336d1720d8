// Every PostgreSQL client the tests and the bench open: a pg Client emits 'error' when the server ends its
// session while it is idle (a container replaced, pg_terminate_backend, a restart), and without a listener
// Node throws it as an uncaught exception that fails whichever test happens to be running. With one, the
// failure surfaces at the client's next query, where the test expects it. Lint
// (@typescript-eslint/no-restricted-imports) keeps test/ and testbed/ from constructing a Client elsewhere.
import { Client, type ClientConfig } from "pg";

export function pgClient(config?: string | ClientConfig): Client {
  const client = new Client(config);
  client.on("error", () => undefined);
  return client;
}
