// Mocha root hooks: stop the shared servers when a test file is done. Mocha runs files in parallel workers
// (.mocharc.json) and calls root afterAll hooks once per file there, so no server outlives its worker.
import { stopSharedPostgres } from "../../testbed/postgres";

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await stopSharedPostgres();
  },
};
