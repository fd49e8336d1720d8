import * as secretsmanager from "@pulumi/aws/secretsmanager";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "../aws/tags";

export interface StoredSecret {
  /** Secret name suffix, e.g. postgres/app. */
  readonly key: string;
  readonly description: string;
  /**
   * JSON fields; Postgres secrets use the shape AWS rotation functions expect (engine, host, port, username,
   * password, dbname).
   */
  readonly value: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
}

export interface StackSecretsArgs {
  readonly prefix: string;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly secrets: readonly StoredSecret[];
  readonly tags: Tags;
}

/** One Secrets Manager secret per database role and Redis user, encrypted with the stack's key. */
export class StackSecrets extends pulumi.ComponentResource {
  readonly arns: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: StackSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:aws:StackSecrets", name, {}, opts);
    const arns: Record<string, pulumi.Output<string>> = {};
    for (const s of args.secrets) {
      const resourceName = `${name}-${s.key.replace(/\//g, "-")}`;
      const secret = new secretsmanager.Secret(
        resourceName,
        {
          name: `${args.prefix}/${s.key}`,
          description: s.description,
          kmsKeyId: args.kmsKeyArn,
          recoveryWindowInDays: 7,
          tags: args.tags,
        },
        { parent: this },
      );
      new secretsmanager.SecretVersion(
        resourceName,
        {
          secretId: secret.id,
          secretString: pulumi.secret(pulumi.output(s.value).apply((v) => JSON.stringify(v))),
        },
        { parent: this, additionalSecretOutputs: ["secretString"] },
      );
      arns[s.key] = secret.arn;
    }
    this.arns = arns;
    this.registerOutputs({ arns });
  }
}
