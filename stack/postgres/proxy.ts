import * as iam from "@pulumi/aws/iam";
import * as rds from "@pulumi/aws/rds";
import * as pulumi from "@pulumi/pulumi";
import { serviceRole } from "../aws/iam";
import type { Tags } from "../aws/tags";

export interface PostgresProxyArgs {
  readonly name: string;
  readonly primaryIdentifier: pulumi.Input<string>;
  /** The app members' secrets (one per login member): the proxy authenticates each client against the secret
   * of its user name and logs in with it, so the previous member works through the proxy until the next
   * rotation. */
  readonly secretArns: pulumi.Input<string>[];
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly subnetIds: string[];
  readonly securityGroupIds: pulumi.Input<string>[];
  readonly tags: Tags;
}

/** RDS Proxy (connection pooling, TLS required) in front of the primary. */
export class PostgresProxy extends pulumi.ComponentResource {
  readonly endpoint: pulumi.Output<string>;

  constructor(name: string, args: PostgresProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:PostgresProxy", name, {}, opts);
    const parent = { parent: this };
    const role = serviceRole(`${name}-role`, "rds.amazonaws.com", args.tags, this);
    new iam.RolePolicy(
      `${name}-secrets`,
      {
        role: role.id,
        policy: pulumi.all([args.secretArns, args.kmsKeyArn]).apply(([arns, key]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: arns },
              { Effect: "Allow", Action: ["kms:Decrypt"], Resource: key },
            ],
          }),
        ),
      },
      parent,
    );
    const proxy = new rds.Proxy(
      name,
      {
        name: args.name,
        engineFamily: "POSTGRESQL",
        requireTls: true,
        roleArn: role.arn,
        vpcSubnetIds: args.subnetIds,
        vpcSecurityGroupIds: args.securityGroupIds,
        idleClientTimeout: 1800,
        auths: args.secretArns.map((secretArn) => ({
          authScheme: "SECRETS",
          secretArn,
          iamAuth: "DISABLED",
          clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
        })),
        tags: args.tags,
      },
      parent,
    );
    const group = new rds.ProxyDefaultTargetGroup(
      `${name}-targets`,
      {
        dbProxyName: proxy.name,
        connectionPoolConfig: { maxConnectionsPercent: 80, connectionBorrowTimeout: 120 },
      },
      parent,
    );
    new rds.ProxyTarget(
      `${name}-primary`,
      { dbProxyName: proxy.name, targetGroupName: group.name, dbInstanceIdentifier: args.primaryIdentifier },
      parent,
    );
    this.endpoint = proxy.endpoint;
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
