import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { rdsConnectArns, rdsConnectPolicy } from "./iam-connect-arns";
import type { Tags } from "../aws/tags";

export interface IamDatabaseAuthArgs {
  readonly prefix: string;
  readonly partition: string;
  readonly accountId: string;
  /** The primary and every replica, each with its own region (a cross-region replica's differs). */
  readonly instances: readonly { readonly region: string; readonly resourceId: pulumi.Input<string> }[];
  /** The IAM login role (stack/credentials/roles.ts IAM_LOGINS). */
  readonly dbUser: string;
  readonly tags: Tags;
}

/**
 * A managed policy allowing `rds-db:connect` as the IAM login on every instance of the stack. The stack does
 * not know the application's role: attach `policyArn` to it (or copy the statement into its own policy).
 */
export class IamDatabaseAuth extends pulumi.ComponentResource {
  readonly policyArn: pulumi.Output<string>;
  readonly dbUser: string;

  constructor(name: string, args: IamDatabaseAuthArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:IamDatabaseAuth", name, {}, opts);
    const instances = pulumi
      .all(args.instances.map((i) => pulumi.output(i.resourceId)))
      .apply((ids) => ids.map((resourceId, n) => ({ region: args.instances[n].region, resourceId })));
    const policy = new iam.Policy(
      name,
      {
        name: `${args.prefix}-rds-iam-connect`,
        description: `rds-db:connect as ${args.dbUser} on ${args.prefix} (IAM database authentication)`,
        policy: instances.apply((refs) =>
          JSON.stringify(rdsConnectPolicy(rdsConnectArns(args.partition, args.accountId, refs, args.dbUser))),
        ),
        tags: args.tags,
      },
      { parent: this },
    );
    this.policyArn = policy.arn;
    this.dbUser = args.dbUser;
    this.registerOutputs({ policyArn: this.policyArn, dbUser: this.dbUser });
  }
}
