// The bootstrap's warnings (what it could not do, e.g. REVOKEs an RDS master may not make) reach the user of
// `pulumi up` as warning diagnostics on the SchemaMigrations resource: the program calls pulumi.log.warn with
// the resource, which the SDK sends to the engine's log RPC with the resource's URN. Under the mock monitor
// there is no engine (the SDK would print them to stderr), so the test records the calls to pulumi.log.warn
// instead.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { plain } from "../../testbed/mocks";
import { StackRun, runStack, stackConfig } from "../../testbed/stack";

const TYPE = "pulumi-nodejs:dynamic/offthegrid:SchemaMigrations";

/**
 * What the provider reported for a database bootstrapped by a non-superuser master (rds-master-provider
 * test).
 */
const REPORTED = [
  'temp_file_limit could not be set for offthegrid_app_a: permission denied to set parameter "temp_file_limit"',
  "PUBLIC can still execute 23 catalog functions this admin may not revoke (it does not own pg_catalog): lo_create(oid).",
];

interface Logged {
  readonly message: string;
  readonly resource?: pulumi.Resource;
}

/**
 * A dev-stack run whose SchemaMigrations outputs carry `warnings`, with every pulumi.log.warn call recorded.
 */
async function runWithWarnings(preview: boolean): Promise<{ run: StackRun; logged: Logged[] }> {
  const logged: Logged[] = [];
  const original = pulumi.log.warn;
  const log = pulumi.log as { warn: typeof pulumi.log.warn };
  log.warn = async (message, resource) => {
    logged.push({ message, resource });
  };
  try {
    const run = await runStack(
      "dev",
      stackConfig("Pulumi.dev.yaml"),
      { outputs: (args) => (args.type === TYPE ? { warnings: REPORTED } : undefined) },
      preview,
    );
    return { run, logged };
  } finally {
    log.warn = original;
  }
}

describe("SchemaMigrations: the bootstrap's warnings as pulumi up diagnostics (mocks)", function () {
  this.timeout(60_000);

  it("pulumi up: one warning per reported item, on the schema resource, naming where to read on", async () => {
    const { run, logged } = await runWithWarnings(false);
    const ours = logged.filter((l) => l.message.startsWith("Database bootstrap"));
    assert.deepEqual(
      ours.map((l) => l.message),
      REPORTED.map(
        (w) =>
          `Database bootstrap (last run): ${w.replace(/\.?$/, ".")} See docs/security.md, "With a non-superuser admin".`,
      ),
    );
    for (const l of ours) {
      assert.ok(l.resource instanceof pulumi.CustomResource, "attached to the resource, not the stack");
      const urn = await new Promise<string>((r) => l.resource!.urn.apply(r));
      assert.match(urn, new RegExp(`${TYPE.replace(/[$]/g, "\\$")}::schema$`));
    }
    const schema = run.resources.find((r) => r.type === TYPE)!;
    assert.deepEqual(plain(schema.inputs).warnings, [], "an up sends [] (check must return a known value)");
  });

  it("pulumi preview: nothing logged (the output holds the last run's warnings), and the input is unknown", async () => {
    const { run, logged } = await runWithWarnings(true);
    assert.deepEqual(
      logged.filter((l) => l.message.startsWith("Database bootstrap")).map((l) => l.message),
      [],
    );
    const schema = run.resources.find((r) => r.type === TYPE)!;
    assert.ok(
      pulumi.isUnknown(schema.inputs.warnings),
      "a preview shows the warnings as computed, not removed",
    );
  });
});
