// The tests and the bench open their PostgreSQL clients the way the CLIs do (cli/shared/pg-client.ts says
// why): with an 'error' listener.
export { pgClient } from "../cli/shared/pg-client";
