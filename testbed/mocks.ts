// A deliberately generic mock monitor: every resource gets its inputs back plus deterministic fields derived
// from its name (id, arn, name, endpoint, address, port, result). Nothing is canned per resource type, so the
// program cannot lean on values the real providers would not give it.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  /** As the mock monitor received them (Pulumi types them loosely: `Inputs`). */
  readonly inputs: pulumi.Inputs;
  readonly provider?: string;
  readonly custom?: boolean;
}

export function digest(text: string, length = 12): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** What any resource named `name` resolves to under the mock. */
function mockFields(type: string, name: string, inputs: pulumi.Inputs): pulumi.Inputs {
  const h = digest(name);
  return {
    arn: `arn:aws:mock:eu-west-1:123456789012:${type.split(":")[1] ?? "resource"}/${name}`,
    name: inputs.name ?? name,
    endpoint: `${name}.${h}.mock.internal`,
    address: `${name}.${h}.mock.internal`,
    port: inputs.port ?? 10000 + (parseInt(h.slice(0, 4), 16) % 50000),
    // An RDS DbiResourceId's shape ("db-" and upper-case characters); only RDS instances read it.
    resourceId: `db-${h.toUpperCase()}`,
    // Looks like a generated credential: letters, digits and "-".
    result: `mock-${digest("result:" + name, 32)}`,
  };
}

/** What a test adds to the generic answers: what AWS itself would return for one resource or invoke. */
export interface MockHooks {
  /** Extra output state for a resource (merged over the generic fields, under the inputs). */
  readonly state?: (args: pulumi.runtime.MockResourceArgs) => pulumi.Inputs | undefined;
  /** Outputs the provider computes beyond its inputs (merged over the echoed inputs). */
  readonly outputs?: (args: pulumi.runtime.MockResourceArgs) => pulumi.Inputs | undefined;
  /** The result of an invoke; undefined falls back to echoing its inputs. */
  readonly call?: (args: pulumi.runtime.MockCallArgs) => pulumi.Inputs | undefined;
}

export interface RecordedCall {
  readonly token: string;
  readonly inputs: pulumi.Inputs;
}

export function genericMocks(
  recorded: RecordedResource[],
  hooks: MockHooks = {},
  calls: RecordedCall[] = [],
): pulumi.runtime.Mocks {
  return {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      recorded.push({
        type: args.type,
        name: args.name,
        inputs: args.inputs,
        provider: args.provider,
        custom: args.custom,
      });
      return {
        id: args.id || `${args.name}-id`, // new resources arrive with id "" (unknown), not undefined
        state: {
          ...mockFields(args.type, args.name, args.inputs),
          ...hooks.state?.(args),
          ...args.inputs,
          ...hooks.outputs?.(args),
        },
      };
    },
    call(args: pulumi.runtime.MockCallArgs) {
      calls.push({ token: args.token, inputs: args.inputs });
      return hooks.call?.(args) ?? args.inputs;
    },
  };
}

/** Pulumi's wire marker for a secret value, as the mock monitor receives it. */
const SECRET_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;

export function isSecretValue(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_KEY] === SECRET_SIG
  );
}

/** A value as the mock monitor hands it over: Pulumi's own (loose) element type of resource inputs. */
export type MockValue = pulumi.Inputs[string];

/** Strips secret markers recursively, for assertions on the plain values. */
export function plain(value: unknown): MockValue {
  if (isSecretValue(value)) return plain((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
