// Off the Grid data stores: read and validate config, generate credentials, provision the stores for the
// environment (Docker in dev, AWS otherwise), apply the schema, export connection details.
import * as path from "node:path";
import { loadConfig } from "./components/config/load";
import { Credentials } from "./components/credentials/credentials";
import { LocalDataStores } from "./components/local/stack";
import { stackOutputs } from "./components/outputs";
import { readSchemaSources, stackSchema } from "./components/schema/stack-schema";

const config = loadConfig();
const migrations = readSchemaSources(path.join(__dirname, "sql"));
const credentials = new Credentials("credentials", { rotation: config.rotation });

function provision() {
  if (config.platform === "docker") {
    return new LocalDataStores("local", { config, passwords: credentials.passwords }).endpoints;
  }
  throw new Error(`environment ${config.environment}: the AWS stack is not implemented yet`);
}

const endpoints = provision();
const schema = stackSchema(config, endpoints, credentials.passwords, migrations);

export const { postgres, redis, tools } = stackOutputs(endpoints, credentials.passwords);
export const schemaMigrations = schema.migrations;
