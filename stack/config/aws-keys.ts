// Config keys that only AWS stacks (staging, prod) read, one file per concern; this module only composes them in
// the order docs/configuration.md lists them.
import { awsBackupKeys } from "../backup/keys";
import { awsNetworkKeys } from "../network/keys";
import { awsOperationKeys } from "./aws-keys-ops";
import { awsOptionKeys } from "./aws-keys-options";
import { awsPostgresKeys } from "../postgres/keys";
import { awsRedisKeys } from "../redis/keys";

export { awsRegion, subnetWithZone } from "./aws-parsers";

export const awsKeys = {
  ...awsNetworkKeys,
  ...awsPostgresKeys,
  ...awsOptionKeys,
  ...awsRedisKeys,
  ...awsBackupKeys,
  ...awsOperationKeys,
};
