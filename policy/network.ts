// Network rules: no database port open to the internet.
import { SECURITY_GROUP, Props, label, resourcePolicy } from "./kit";

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
            `${label(args)} opens port ${ports.join(", ")} to ${world.join(", ")}: allow only the app's security group or private CIDRs.`,
          );
        }
      }
    },
  );

export const networkPolicies = [noPublicDatabasePorts()];
