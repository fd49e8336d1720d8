import * as ec2 from "@pulumi/aws/ec2";
import * as elasticache from "@pulumi/aws/elasticache";
import * as rds from "@pulumi/aws/rds";
import * as pulumi from "@pulumi/pulumi";
import type { Subnet } from "../../config/types";
import type { Tags } from "../../lib/aws/tags";

export interface DataNetworkArgs {
  readonly vpcId: string;
  readonly subnets: readonly Subnet[];
  readonly allowedCidrs: readonly string[];
  readonly allowedSecurityGroupIds: readonly string[];
  /** Also create a security group for an RDS Proxy (clients → proxy → database). */
  readonly proxy: boolean;
  readonly tags: Tags;
}

/** Security groups that open only 5432 / 6379, only to the configured sources, plus the subnet groups. */
export class DataNetwork extends pulumi.ComponentResource {
  readonly postgresSecurityGroupId: pulumi.Output<string>;
  readonly redisSecurityGroupId: pulumi.Output<string>;
  readonly proxySecurityGroupId?: pulumi.Output<string>;
  readonly dbSubnetGroupName: pulumi.Output<string>;
  readonly cacheSubnetGroupName: pulumi.Output<string>;

  constructor(name: string, args: DataNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:DataNetwork", name, {}, opts);
    const from = (port: number, extraGroups: pulumi.Input<string>[] = []) => {
      const v4 = args.allowedCidrs.filter((c) => !c.includes(":"));
      const v6 = args.allowedCidrs.filter((c) => c.includes(":"));
      const groups = [...args.allowedSecurityGroupIds, ...extraGroups];
      return [
        ...(v4.length || v6.length
          ? [
              {
                protocol: "tcp",
                fromPort: port,
                toPort: port,
                cidrBlocks: v4,
                ipv6CidrBlocks: v6,
                description: "allowed CIDRs",
              },
            ]
          : []),
        ...(groups.length
          ? [
              {
                protocol: "tcp",
                fromPort: port,
                toPort: port,
                securityGroups: groups,
                description: "allowed security groups",
              },
            ]
          : []),
      ];
    };
    const group = (role: string, description: string, ingress: ReturnType<typeof from>) =>
      new ec2.SecurityGroup(
        `${name}-${role}`,
        // No egress rules: the data stores never start connections.
        {
          vpcId: args.vpcId,
          description,
          ingress,
          egress: [],
          tags: { ...args.tags, Name: `${name}-${role}` },
        },
        { parent: this },
      );
    let proxy: ec2.SecurityGroup | undefined;
    if (args.proxy) {
      proxy = new ec2.SecurityGroup(
        `${name}-proxy`,
        {
          vpcId: args.vpcId,
          description: "RDS Proxy: PostgreSQL from allowed sources",
          ingress: from(5432),
          // No inline egress: AWS's default egress stays, which the proxy needs to reach the database.
          tags: { ...args.tags, Name: `${name}-proxy` },
        },
        { parent: this },
      );
    }
    const postgres = group(
      "postgres",
      "PostgreSQL from allowed sources",
      from(5432, proxy ? [proxy.id] : []),
    );
    const redis = group("redis", "Redis (TLS) from allowed sources", from(6379));
    const subnetIds = args.subnets.map((s) => s.id);
    const dbSubnets = new rds.SubnetGroup(
      `${name}-db`,
      { subnetIds, description: "Off the Grid PostgreSQL", tags: args.tags },
      { parent: this },
    );
    const cacheSubnets = new elasticache.SubnetGroup(
      `${name}-cache`,
      { subnetIds, description: "Off the Grid Redis", tags: args.tags },
      { parent: this },
    );

    this.postgresSecurityGroupId = postgres.id;
    this.redisSecurityGroupId = redis.id;
    this.proxySecurityGroupId = proxy?.id;
    this.dbSubnetGroupName = dbSubnets.name;
    this.cacheSubnetGroupName = cacheSubnets.name;
    this.registerOutputs({
      postgresSecurityGroupId: this.postgresSecurityGroupId,
      redisSecurityGroupId: this.redisSecurityGroupId,
      dbSubnetGroupName: this.dbSubnetGroupName,
      cacheSubnetGroupName: this.cacheSubnetGroupName,
    });
  }
}
