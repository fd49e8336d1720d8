// The shipped prod stack under mocks, shared by the prod test files. The CA bundle points at a test fixture:
// the TLS tests connect to a real PostgreSQL whose certificate that CA signed.
import type { MockHooks } from "../../testbed/mocks";
import { StackRun, ofType, runStack, stackConfig } from "../../testbed/stack";

export const CA = { postgresCaBundlePath: "test/fixtures/test-ca.pem" };

export const prodStack = (overrides: Record<string, string | undefined> = {}, hooks: MockHooks = {}) =>
  runStack("prod", stackConfig("Pulumi.prod.yaml", { ...CA, ...overrides }), hooks);

/** Type tokens the prod tests look resources up by. */
export const T = {
  instance: "aws:rds/instance:Instance",
  paramGroup: "aws:rds/parameterGroup:ParameterGroup",
  replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
  cacheParams: "aws:elasticache/parameterGroup:ParameterGroup",
  cacheUser: "aws:elasticache/user:User",
  userGroup: "aws:elasticache/userGroup:UserGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  key: "aws:kms/key:Key",
  vault: "aws:backup/vault:Vault",
  plan: "aws:backup/plan:Plan",
  selection: "aws:backup/selection:Selection",
  vaultLock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
  pitr: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  topic: "aws:sns/topic:Topic",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  eventSub: "aws:rds/eventSubscription:EventSubscription",
  proxy: "aws:rds/proxy:Proxy",
  provider: "pulumi:providers:aws",
  password: "random:index/randomPassword:RandomPassword",
};

export const primaryOf = (run: StackRun) => ofType(run, T.instance).find((i) => !i.inputs.replicateSourceDb)!;
export const replicasOf = (run: StackRun) =>
  ofType(run, T.instance).filter((i) => i.inputs.replicateSourceDb);
