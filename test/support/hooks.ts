// Mocha root hooks: stop the shared servers once every suite has run.
import { stopSharedPostgres } from "../../harness/postgres";

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await stopSharedPostgres();
  },
};
