import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { KeyPolicyInput, keyPolicy } from "../../lib/aws/kms-policy";
import type { Tags } from "../../lib/aws/tags";

export interface StackKeyArgs extends KeyPolicyInput {
  /** An existing key to use instead of creating one. */
  readonly existingKeyArn?: string;
  readonly alias: string;
  readonly tags: Tags;
}

/** The KMS key for storage, Performance Insights, secrets, logs and backups in one region (keys are regional). */
export class StackKey extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: StackKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:StackKey", name, {}, opts);
    if (args.existingKeyArn) {
      this.arn = pulumi.output(args.existingKeyArn);
    } else {
      const key = new kms.Key(
        name,
        {
          description: `Off the Grid data stores (${args.alias})`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: keyPolicy(args),
          tags: args.tags,
        },
        // Losing the key loses every backup encrypted with it.
        { parent: this, protect: true },
      );
      new kms.Alias(
        `${name}-alias`,
        { name: `alias/${args.alias}`, targetKeyId: key.keyId },
        { parent: this },
      );
      this.arn = key.arn;
    }
    this.registerOutputs({ arn: this.arn });
  }
}
