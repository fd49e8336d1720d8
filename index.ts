// Off the Grid data stores: read and validate config, generate credentials, provision the stores for the
// environment (Docker in dev, AWS otherwise), apply the schema, export connection details.
import { loadConfig } from "./components/config/load";
import { Credentials } from "./components/credentials/credentials";
import { LocalDataStores } from "./components/local/stack";
import { stackOutputs } from "./components/outputs";

const config = loadConfig();
const credentials = new Credentials("credentials", { rotation: config.rotation });

function provision() {
  if (config.platform === "docker") {
    return new LocalDataStores("local", { config, passwords: credentials.passwords }).endpoints;
  }
  throw new Error(`environment ${config.environment}: the AWS stack is not implemented yet`);
}

const endpoints = provision();

export const { postgres, redis, tools } = stackOutputs(endpoints, credentials.passwords);
