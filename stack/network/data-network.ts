import * as ec2 from "@pulumi/aws/ec2";
import * as elasticache from "@pulumi/aws/elasticache";
import * as rds from "@pulumi/aws/rds";
import * as vpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";
import type { Subnet } from "../config/aws-parsers";
import type { Tags } from "../aws/tags";

export interface DataNetworkArgs {
  readonly vpcId: string;
  readonly subnets: readonly Subnet[];
  readonly allowedCidrs: readonly string[];
  readonly allowedSecurityGroupIds: readonly string[];
  /** The deploy runner's groups: PostgreSQL only (the schema step), never Redis. */
  readonly deployRunnerSecurityGroupIds: readonly string[];
  /** Also create a security group for an RDS Proxy (clients → proxy → database). */
  readonly proxy: boolean;
  readonly tags: Tags;
}

interface IngressRule {
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrBlocks?: string[];
  readonly ipv6CidrBlocks?: string[];
  readonly securityGroups?: pulumi.Input<string>[];
  readonly description: string;
}
type Ingress = IngressRule[];

/** Ingress rules for one port from the configured CIDRs and security groups. */
export function ingressFrom(
  port: number,
  cidrs: readonly string[],
  groups: readonly pulumi.Input<string>[],
): Ingress {
  const v4 = cidrs.filter((c) => !c.includes(":"));
  const v6 = cidrs.filter((c) => c.includes(":"));
  const rule = { protocol: "tcp", fromPort: port, toPort: port };
  return [
    ...(v4.length || v6.length
      ? [{ ...rule, cidrBlocks: v4, ipv6CidrBlocks: v6, description: "allowed CIDRs" }]
      : []),
    ...(groups.length
      ? [{ ...rule, securityGroups: [...groups], description: "allowed security groups" }]
      : []),
  ];
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
    const parent = { parent: this };
    const group = (role: string, description: string, ingress: Ingress, egress?: []) =>
      new ec2.SecurityGroup(
        `${name}-${role}`,
        { vpcId: args.vpcId, description, ingress, egress, tags: { ...args.tags, Name: `${name}-${role}` } },
        parent,
      );
    // Without inline `egress` the provider leaves egress to separate rule resources; it still deletes AWS's
    // default allow-all rule (ec2/securityGroup.d.ts, "NOTE on Egress rules"), so the proxy gets exactly one.
    const proxy = args.proxy
      ? group("proxy", "RDS Proxy: PostgreSQL from allowed sources", this.from(args, 5432))
      : undefined;
    // No egress on the data stores: they never start connections.
    const postgres = group(
      "postgres",
      "PostgreSQL from allowed sources",
      [
        ...this.from(args, 5432, proxy ? [proxy.id] : []),
        ...ingressFrom(5432, [], args.deployRunnerSecurityGroupIds).map((r) => ({
          ...r,
          description: "deploy runner (schema step)",
        })),
      ],
      [],
    );
    if (proxy) this.proxyEgress(name, args, proxy, postgres);
    const redis = group("redis", "Redis (TLS) from allowed sources", this.from(args, 6379), []);
    const subnetIds = args.subnets.map((s) => s.id);
    const dbSubnets = new rds.SubnetGroup(
      `${name}-db`,
      { subnetIds, description: "Off the Grid PostgreSQL", tags: args.tags },
      parent,
    );
    const cacheSubnets = new elasticache.SubnetGroup(
      `${name}-cache`,
      { subnetIds, description: "Off the Grid Redis", tags: args.tags },
      parent,
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

  /** A separate rule, not inline egress: the two groups reference each other, which inline rules cannot. */
  private proxyEgress(
    name: string,
    args: DataNetworkArgs,
    proxy: ec2.SecurityGroup,
    postgres: ec2.SecurityGroup,
  ) {
    new vpc.SecurityGroupEgressRule(
      `${name}-proxy-to-postgres`,
      {
        securityGroupId: proxy.id,
        referencedSecurityGroupId: postgres.id,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        description: "RDS Proxy to the PostgreSQL instances",
        tags: args.tags,
      },
      { parent: this },
    );
  }

  private from(args: DataNetworkArgs, port: number, extraGroups: pulumi.Input<string>[] = []): Ingress {
    return ingressFrom(port, args.allowedCidrs, [...args.allowedSecurityGroupIds, ...extraGroups]);
  }
}
