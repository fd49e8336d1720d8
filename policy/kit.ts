// What every rule file of the pack shares: resource type tokens, the small factory shape (pulumi-policy-aws
// style) and labels. Rules match on type tokens rather than SDK classes, so the pack loads without
// @pulumi/aws or @pulumi/docker. The policy SDK hands rules plain values, never whether one is secret:
// secrecy is proven by the program's own pulumi.isSecret tests instead.
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
} from "@pulumi/policy";

export type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
export const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const CONTAINER = "docker:index/container:Container";
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
export const BACKUP_PLAN = "aws:backup/plan:Plan";
export const BACKUP_VAULT = "aws:backup/vault:Vault";
export const EVENT_SUBSCRIPTION = "aws:rds/eventSubscription:EventSubscription";
export const RDS_PROXY = "aws:rds/proxy:Proxy";

export function onType(
  type: string,
  check: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void,
) {
  return (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type === type) check(args.props, args, report);
  };
}

export const isPrimary = (p: Props) => !p.replicateSourceDb;

/**
 * The instance a replica replicates: named by identifier in its region, by ARN across regions
 * (`arn:<partition>:rds:<region>:<account>:db:<identifier>`, rds/instance.d.ts replicateSourceDb).
 */
export function sourceOf<T extends { props: Props }>(instances: readonly T[], replica: T): T | undefined {
  const ref = replica.props.replicateSourceDb;
  if (typeof ref !== "string" || ref === "") return undefined;
  return instances.find((r) => {
    const id = r.props.identifier;
    return (
      typeof id === "string" &&
      id !== "" &&
      (ref === id || (ref.startsWith("arn:") && ref.endsWith(`:db:${id}`)))
    );
  });
}

/** @pulumi/aws 7: a resource's own `region` argument overrides its provider's. */
export const regionOf = (r: { props: Props; provider?: { props?: Props } }) =>
  (r.props.region ?? r.provider?.props?.region) as string | undefined;
export const label = (args: { type: string; name: string }) => `${args.type.split(":")[1]} ${args.name}`;

export function resourcePolicy(
  name: string,
  description: string,
  validateResource: ResourceValidationPolicy["validateResource"],
  configSchema?: ResourceValidationPolicy["configSchema"],
): ResourceValidationPolicy {
  return { name, description, enforcementLevel: "mandatory", validateResource, configSchema };
}

/** A set value: neither undefined nor empty. */
export const known = (v: unknown): v is string => typeof v === "string" && v !== "";

/**
 * A cross-region replica names its source by ARN (CreateDBInstanceReadReplica, SourceDBInstanceIdentifier).
 */
export const isArn = (v: unknown): v is string => typeof v === "string" && v.startsWith("arn:");

export const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
export const GiB = 1024 ** 3;
export const alarmsOn = (resources: PolicyResource[], metric: string, dimension: string, value: string) =>
  resources.filter(
    (r) => r.type === ALARM && r.props.metricName === metric && r.props.dimensions?.[dimension] === value,
  );

/** Whether a security group rule covers `port`. */
export const covers = (rule: Props, port: number) =>
  rule.protocol === "-1" || rule.ipProtocol === "-1" || (rule.fromPort <= port && port <= rule.toPort);
