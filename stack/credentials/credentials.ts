// One generated password per role, each rotated independently by bumping its epoch in config.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ConfigGuard, warnOnChange } from "../config-guard";
import { CREDENTIALS, CredentialName } from "./credential-names";
import { epochConsequence, epochGuards } from "./epoch-rule";
import { DUAL_PASSWORD_CREDENTIALS, slotGenerations } from "./slots";

export { slotGenerations };

export interface CredentialsArgs {
  /**
   * Rotation epoch per credential; it feeds the password's `keepers`, so a new epoch means a new password.
   */
  readonly rotation: Readonly<Record<CredentialName, number>>;
  /** Every `…Epoch` key by name (rotation and retired epochs): each is refused below its applied value. */
  readonly epochs: Readonly<Record<string, number>>;
  /** Password length; default 40. */
  readonly length?: number;
}

/**
 * Letters, digits and "-" only: valid for RDS (which rejects / @ " and space), ElastiCache auth tokens and
 * RBAC passwords, and usable unescaped in postgres:// and redis:// URLs.
 */
const PASSWORD_SPECIALS = "-";

export class Credentials extends pulumi.ComponentResource {
  /**
   * Secret Outputs: the SDK marks RandomPassword.result secret only when the engine runs, so we do it here.
   */
  readonly passwords: Readonly<Record<CredentialName, pulumi.Output<string>>>;
  /** For dual-password credentials: the password before the latest rotation. */
  readonly previousPasswords: Readonly<Partial<Record<CredentialName, pulumi.Output<string>>>>;

  constructor(name: string, args: CredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("offthegrid:credentials:Credentials", name, {}, opts);
    const length = args.length ?? 40;
    // Registered first, and every password waits for it: a refused epoch leaves every password as it is.
    const guard = new ConfigGuard(`${name}-epochs`, epochGuards(args.epochs), { parent: this });
    warnOnChange(guard, args.epochs, (key, applied, value) =>
      epochConsequence(key, Number(applied), Number(value)),
    );
    const generate = (resourceName: string, keepers: Record<string, string>) =>
      pulumi.secret(
        new random.RandomPassword(
          resourceName,
          {
            length,
            special: true,
            overrideSpecial: PASSWORD_SPECIALS,
            minLower: 2,
            minUpper: 2,
            minNumeric: 2,
            keepers,
          },
          { parent: this, dependsOn: [guard], additionalSecretOutputs: ["result", "bcryptHash"] },
        ).result,
      );
    const passwords = {} as Record<CredentialName, pulumi.Output<string>>;
    const previousPasswords: Partial<Record<CredentialName, pulumi.Output<string>>> = {};
    for (const credential of CREDENTIALS) {
      const epoch = args.rotation[credential];
      if ((DUAL_PASSWORD_CREDENTIALS as readonly CredentialName[]).includes(credential)) {
        const slots = slotGenerations(epoch);
        const a = generate(`${name}-${credential}-a`, { slot: "a", generation: String(slots.a) });
        const b = generate(`${name}-${credential}-b`, { slot: "b", generation: String(slots.b) });
        passwords[credential] = slots.current === "a" ? a : b;
        previousPasswords[credential] = slots.current === "a" ? b : a;
      } else {
        passwords[credential] = generate(`${name}-${credential}`, { epoch: String(epoch) });
      }
    }
    this.passwords = passwords;
    this.previousPasswords = previousPasswords;
    this.registerOutputs({ passwords, previousPasswords });
  }
}
