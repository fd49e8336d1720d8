// Network: no database port open to the internet, and an RDS Proxy that can reach its target.
import type { StackValidationPolicy } from "@pulumi/policy";
import { RDS_PROXY, SECURITY_GROUP, Props, label, resourcePolicy, known, covers } from "./kit";
import { fixes } from "./fixes";

/** The config key or stack file behind each property this file's rules report on (policy/fixes.ts). */
export const networkFixes = fixes("policy/network.ts", {
  propertyKeys: { [SECURITY_GROUP]: { ingress: "allowedCidrs" } },
  codeSet: { [RDS_PROXY]: { egress: "stack/postgres/proxy.ts" } },
});
const { fix } = networkFixes;

const DB_PORTS = [5432, 6379];

export const noPublicDatabasePorts = () =>
  resourcePolicy(
    "security-group-no-public-db-ports",
    "No security group opens PostgreSQL or Redis to 0.0.0.0/0 or ::/0.",
    (args, report) => {
      const rules: Props[] =
        args.type === SECURITY_GROUP
          ? (args.props.ingress ?? [])
          : /^aws:(vpc\/securityGroupIngressRule|ec2\/securityGroupRule):/.test(args.type) &&
              args.props.type !== "egress"
            ? [
                {
                  ...args.props,
                  cidrBlocks: [args.props.cidrIpv4, ...(args.props.cidrBlocks ?? [])],
                  ipv6CidrBlocks: [args.props.cidrIpv6, ...(args.props.ipv6CidrBlocks ?? [])],
                },
              ]
            : [];
      for (const rule of rules) {
        const all = rule.protocol === "-1" || rule.ipProtocol === "-1";
        const ports = DB_PORTS.filter((port) => all || (rule.fromPort <= port && port <= rule.toPort));
        const world = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter(
          (c) => c === "0.0.0.0/0" || c === "::/0",
        );
        if (ports.length && world.length) {
          report(
            `${label(args)} opens port ${ports.join(", ")} to ${world.join(", ")}: allow only the app's security group or private CIDRs: ${fix(SECURITY_GROUP, "ingress", "to private CIDRs (or allowedSecurityGroupIds)")}.`,
          );
        }
      }
    },
  );

/**
 * The provider deletes a new security group's default allow-all egress (ec2/securityGroup.d.ts, "NOTE on
 * Egress rules"), so an RDS Proxy whose group has no egress to 5432 registers fine and never reaches its
 * target.
 */
export const rdsProxyEgress = (): StackValidationPolicy => ({
  name: "rds-proxy-egress",
  description: "An RDS Proxy's security group allows egress to PostgreSQL (5432).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const egress: { group?: string; rule: Props }[] = [];
    for (const r of args.resources) {
      if (/^aws:vpc\/securityGroupEgressRule:/.test(r.type))
        egress.push({ group: r.props.securityGroupId, rule: r.props });
      if (/^aws:ec2\/securityGroupRule:/.test(r.type) && r.props.type === "egress")
        egress.push({ group: r.props.securityGroupId, rule: r.props });
      if (/^aws:ec2\/securityGroup:/.test(r.type))
        for (const rule of r.props.egress ?? []) egress.push({ group: r.props.id, rule });
    }
    for (const proxy of args.resources.filter((r) => r.type === RDS_PROXY)) {
      const groups: unknown[] = proxy.props.vpcSecurityGroupIds ?? [];
      // In a preview, new groups' ids are unknown: then any 5432 egress rule of an unknown group counts.
      const matches = (group?: string) => !known(group) || !groups.every(known) || groups.includes(group);
      if (!egress.some((e) => covers(e.rule, 5432) && matches(e.group))) {
        report(
          `RDS Proxy ${proxy.name} cannot reach its database: add an egress rule to port 5432 (the database's security group) on the proxy's security group (${fix(RDS_PROXY, "egress", "")}).`,
          proxy.urn,
        );
      }
    }
  },
});

export const networkPolicies = [noPublicDatabasePorts(), rdsProxyEgress()];
