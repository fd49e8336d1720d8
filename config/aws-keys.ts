// Config keys that only AWS stacks (staging, prod) read, one file per concern; this module only composes them in
// the order docs/configuration.md lists them.
import { awsBackupKeys } from "./aws-keys-backup";
import { awsNetworkKeys } from "./aws-keys-network";
import { awsOperationKeys } from "./aws-keys-ops";
import { awsOptionKeys } from "./aws-keys-options";
import { awsPostgresKeys } from "./aws-keys-postgres";
import { awsRedisKeys } from "./aws-keys-redis";

export { awsRegion, subnetWithZone } from "./aws-parsers";

export const awsKeys = {
  ...awsNetworkKeys,
  ...awsPostgresKeys,
  ...awsOptionKeys,
  ...awsRedisKeys,
  ...awsBackupKeys,
  ...awsOperationKeys,
};
