import * as secretsmanager from "@pulumi/aws/secretsmanager";
import * as pulumi from "@pulumi/pulumi";
import { managedMasterPassword } from "./master-secret-value";

/**
 * The master password RDS keeps in its own secret (manageMasterUserPassword), read at every `pulumi up` so
 * the schema step logs in with the current one (RDS rotates it; every 7 days by default). The value exists
 * only in the program and, encrypted, in the SchemaMigrations state (its `admin` input is secret): Pulumi
 * stores no invoke results, and the output is marked secret here, whatever the provider marks.
 */
export function readManagedMasterPassword(
  secretArn: pulumi.Output<string>,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const version = secretsmanager.getSecretVersionOutput({ secretId: secretArn }, { parent });
  return pulumi.secret(
    pulumi
      .all([version, secretArn])
      .apply(([v, arn]) => managedMasterPassword(v.secretString as string | undefined, arn)),
  );
}
