// The IAM side of IAM database authentication: which `rds-db:connect` resources let a principal log in as the
// IAM login role. Pure, so the ARN shape is tested without Pulumi.

/**
 * One DB instance a token may be used against: its region and its DbiResourceId (`resourceId`, not the name).
 */
export interface DbInstanceRef {
  readonly region: string;
  readonly resourceId: string;
}

/**
 * `arn:<partition>:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<db user>` (RDS user guide, "Creating and
 * using an IAM policy for IAM database access"): one per instance, because each instance has its own resource
 * id.
 */
export function rdsConnectArns(
  partition: string,
  accountId: string,
  instances: readonly DbInstanceRef[],
  dbUser: string,
): string[] {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(dbUser))
    throw new Error(`Invalid database user for rds-db:connect: ${dbUser}`);
  return instances.map(
    (i) => `arn:${partition}:rds-db:${i.region}:${accountId}:dbuser:${i.resourceId}/${dbUser}`,
  );
}

/** The policy document to attach to the application's role. */
export function rdsConnectPolicy(arns: readonly string[]) {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "RdsIamConnect", Effect: "Allow", Action: "rds-db:connect", Resource: [...arns] }],
  };
}
