// One generated password per role, each rotated independently by bumping its epoch in config.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CREDENTIALS, CredentialName } from "../config/types";

export interface CredentialsArgs {
  /** Rotation epoch per credential; it feeds the password's `keepers`, so a new epoch means a new password. */
  readonly rotation: Readonly<Record<CredentialName, number>>;
  /** Password length; default 40. */
  readonly length?: number;
}

/**
 * Letters, digits and "-" only: valid for RDS (which rejects / @ " and space), ElastiCache auth tokens and RBAC
 * passwords, and usable unescaped in postgres:// and redis:// URLs.
 */
export const PASSWORD_SPECIALS = "-";

export class Credentials extends pulumi.ComponentResource {
  /** Secret Outputs: the SDK marks RandomPassword.result secret only when the engine runs, so we do it here. */
  readonly passwords: Readonly<Record<CredentialName, pulumi.Output<string>>>;

  constructor(name: string, args: CredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:credentials:Credentials", name, {}, opts);
    const length = args.length ?? 40;
    const passwords = {} as Record<CredentialName, pulumi.Output<string>>;
    for (const credential of CREDENTIALS) {
      const password = new random.RandomPassword(
        `${name}-${credential}`,
        {
          length,
          special: true,
          overrideSpecial: PASSWORD_SPECIALS,
          minLower: 2,
          minUpper: 2,
          minNumeric: 2,
          keepers: { epoch: String(args.rotation[credential]) },
        },
        { parent: this, additionalSecretOutputs: ["result", "bcryptHash"] },
      );
      passwords[credential] = pulumi.secret(password.result);
    }
    this.passwords = passwords;
    this.registerOutputs({ passwords });
  }
}
