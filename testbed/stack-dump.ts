// Dumps what the Pulumi program registers under the mock monitor, for the dev stack and the prod variants:
// every resource (type, name, parent, inputs, options) and the stack outputs, as canonical JSON. A
// refactoring that must not change the deployed infrastructure is checked by diffing two dumps
// (before/after). Usage: node -r ./tools/ts-register.cjs tools/stack-dump.ts OUT_DIR
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MockHooks, plain } from "./mocks";
import { runStack, stackConfig } from "./stack";

const CA = { postgresCaBundlePath: "test/fixtures/test-ca.pem" };
const CROSS_REGION = {
  postgresCrossRegionReplicaRegion: "eu-central-1",
  postgresCrossRegionReplicaVpcId: "vpc-0fedcba9876543210",
  postgresCrossRegionReplicaSubnets: JSON.stringify([
    "subnet-0aaaaaaaaaaaaaaa1=eu-central-1a",
    "subnet-0aaaaaaaaaaaaaaa2=eu-central-1b",
  ]),
};

const MANAGED_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b2c3d-mock-AbCdEf";
/** What AWS returns for an RDS-managed master password: the instance's secret, and that secret's value. */
const awsAnswers: MockHooks = {
  state: (args) =>
    args.type === "aws:rds/instance:Instance" && args.inputs.manageMasterUserPassword
      ? { masterUserSecrets: [{ secretArn: MANAGED_ARN, kmsKeyId: args.inputs.masterUserSecretKmsKeyId }] }
      : undefined,
  call: (args) =>
    args.token === "aws:secretsmanager/getSecretVersion:getSecretVersion" &&
    args.inputs.secretId === MANAGED_ARN
      ? {
          ...args.inputs,
          secretString: JSON.stringify({ username: "postgres", password: "rds-managed-Pw-0123456789" }),
        }
      : undefined,
};

const VARIANTS: Record<string, [string, string, Record<string, string>]> = {
  dev: ["dev", "Pulumi.dev.yaml", {}],
  "dev-tools": [
    "dev",
    "Pulumi.dev.yaml",
    { devTools: "true", redisAppPasswordEpoch: "2", redisAppRetiredEpoch: "1" },
  ],
  prod: ["prod", "Pulumi.prod.yaml", CA],
  "prod-cross-region-iam-proxy": [
    "prod",
    "Pulumi.prod.yaml",
    { ...CA, ...CROSS_REGION, postgresIamAuth: "true", rdsProxy: "true", backupVaultComplianceLock: "true" },
  ],
  "prod-managed-bluegreen-free": [
    "prod",
    "Pulumi.prod.yaml",
    { ...CA, postgresMasterPasswordMode: "managed", postgresReplicaCount: "0", redisEngine: "valkey" },
  ],
  "prod-bluegreen-cluster": [
    "prod",
    "Pulumi.prod.yaml",
    {
      ...CA,
      postgresBlueGreenUpdate: "true",
      postgresReplicaCount: "0",
      redisClusterMode: "true",
      redisShards: "3",
      redisReplicaCount: "1",
      postgresAppPasswordEpoch: "1",
      schemaEndpoint: "localhost:15432",
    },
  ],
  staging: ["staging", "examples/Pulumi.staging.yaml", CA],
};

/**
 * Outputs and secrets as plain JSON; the serialized provider text by its length only (it is code, not infra).
 */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, k === "__provider" ? "<provider>" : canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

const resourceName = (r: pulumi.Resource | undefined, names: Map<pulumi.Resource, string>) =>
  r === undefined ? undefined : (names.get(r) ?? "<unknown>");

async function main(out: string): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  for (const [variant, [stack, file, overrides]] of Object.entries(VARIANTS)) {
    const run = await runStack(stack, stackConfig(file, overrides), awsAnswers);
    const names = new Map<pulumi.Resource, string>();
    // Names of resources as registered, for the options that point at other resources.
    for (const o of run.options) names.set(o as unknown as pulumi.Resource, o.name);
    const options = run.options.map((o) => ({
      type: o.type,
      name: o.name,
      parent: o.parentName,
      protect: o.opts.protect,
      deleteBeforeReplace: (o.opts as pulumi.CustomResourceOptions).deleteBeforeReplace,
      ignoreChanges: o.opts.ignoreChanges,
      replaceOnChanges: o.opts.replaceOnChanges,
      retainOnDelete: o.opts.retainOnDelete,
      additionalSecretOutputs: (o.opts as pulumi.CustomResourceOptions).additionalSecretOutputs,
      dependsOn: Array.isArray(o.opts.dependsOn) ? o.opts.dependsOn.length : o.opts.dependsOn ? 1 : 0,
      provider: o.opts.provider ? "set" : undefined,
      aliases: o.opts.aliases?.length,
      customTimeouts: (o.opts as pulumi.CustomResourceOptions).customTimeouts,
    }));
    const resources = run.resources.map((r) => ({
      type: r.type,
      name: r.name,
      provider: r.provider,
      inputs: canonical(plain(r.inputs)),
    }));
    const dump = canonical({ resources, options, outputs: plain(run.outputs) });
    fs.writeFileSync(path.join(out, `${variant}.json`), JSON.stringify(dump, null, 1) + "\n");
    process.stdout.write(`${variant}: ${resources.length} resources\n`);
    void resourceName;
  }
}

void main(process.argv[2] ?? "stack-dumps").then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
