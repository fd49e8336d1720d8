// `npm run -s pulumi -- <args>`: the real Pulumi CLI with the suite's stand-in plugins and PULUMI_HOME
// (.pulumi-test-home, or OFFTHEGRID_PULUMI_HOME). Honours PULUMI_CONFIG_PASSPHRASE, PULUMI_BACKEND_URL and
// `login file://…` like the CLI itself.
import { spawnSync } from "node:child_process";
import { defaultHome, engineEnv, installStandins, locateEngine } from "./cli";

const engine = locateEngine();
const home = defaultHome();
installStandins(home);
const result = spawnSync(engine.pulumi, process.argv.slice(2), {
  stdio: "inherit",
  env: engineEnv(engine, home),
});
process.exit(result.status ?? 1);
