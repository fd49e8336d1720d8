import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { KeyPolicyInput, alarmKeyPolicy, keyPolicy } from "./kms-policy";
import type { Tags } from "./tags";

export interface StackKeyArgs extends KeyPolicyInput {
  /** An existing key to use instead of creating one. */
  readonly existingKeyArn?: string;
  readonly alias: string;
  /** data: storage, secrets, logs, backups; alarms: only the alarm topic. Default data. */
  readonly purpose?: "data" | "alarms";
  /**
   * Create the key in `region` through the resource's own region argument (@pulumi/aws 7), not the
   * provider's.
   */
  readonly inOwnRegion?: boolean;
  readonly tags: Tags;
}

/**
 * A KMS key (rotation on, deletion denied outside break-glass) and its alias, in one region (keys are
 * regional).
 */
export class StackKey extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: StackKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:StackKey", name, {}, opts);
    if (args.existingKeyArn) {
      this.arn = pulumi.output(args.existingKeyArn);
    } else {
      const region = args.inOwnRegion ? { region: args.region } : {};
      const key = new kms.Key(
        name,
        {
          description: `Off the Grid ${args.purpose === "alarms" ? "alarm topic" : "data stores"} (${args.alias})`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: args.purpose === "alarms" ? alarmKeyPolicy(args) : keyPolicy(args),
          tags: args.tags,
          ...region,
        },
        // Losing the key loses every backup encrypted with it.
        { parent: this, protect: true },
      );
      new kms.Alias(
        `${name}-alias`,
        { name: `alias/${args.alias}`, targetKeyId: key.keyId, ...region },
        { parent: this },
      );
      this.arn = key.arn;
    }
    this.registerOutputs({ arn: this.arn });
  }
}
