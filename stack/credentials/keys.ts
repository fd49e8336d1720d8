// Credentials' config keys: one rotation epoch per generated password, the epochs whose previous Redis
// password is retired, and who owns the RDS master password.
import { KeySpec, epoch, integer, key, oneOf } from "../config/key-spec";
import { aws } from "../config/aws-parsers";
import type { RuleContext } from "../config/rules";
import type { Parsed } from "../config/key-spec";
import type { RdsSettings } from "../postgres/rds-settings";
import type { CredentialName } from "./credential-names";

/** stack/credentials/epoch-rule.ts: the guard refuses a decrease. */
const FORWARD = " Only moves forward: preview refuses a value below the applied one.";

const rotation = (what: string, effect = "") =>
  key({
    type: "integer",
    scope: "all",
    default: 0,
    parse: epoch,
    description: `Rotation epoch of ${what}; increase it by one to generate a new password on the next \`pulumi up\`.${effect}${FORWARD}`,
  });

/** The schema roles alternate two login members (stack/credentials/roles.ts). */
const ALTERNATING =
  " The outputs move to the role's other login member; the previous URL keeps working until the next increase.";

export const credentialsKeys = {
  postgresAdminPasswordEpoch: rotation(
    "the PostgreSQL superuser / RDS master password",
    " A single role: the old password is refused at once (only the bootstrap uses it).",
  ),
  postgresOwnerPasswordEpoch: rotation("the schema owner role's password", ALTERNATING),
  postgresAppPasswordEpoch: rotation("the application role's password", ALTERNATING),
  postgresReadonlyPasswordEpoch: rotation("the read-only role's password", ALTERNATING),
  redisAdminPasswordEpoch: rotation("the Redis admin user's password"),
  redisAppPasswordEpoch: rotation("the Redis application user's password"),
  devToolsPasswordEpoch: rotation("the pgAdmin and Redis Commander logins"),
  redisAdminRetiredEpoch: {
    type: "integer",
    scope: "all",
    default: 0,
    parse: integer(0, 1_000_000),
    description:
      "Set equal to redisAdminPasswordEpoch once clients use the new password, to drop the previous one (until " +
      "then both are accepted; the next rotation drops it anyway)." +
      FORWARD,
  } satisfies KeySpec<number>,
  redisAppRetiredEpoch: {
    type: "integer",
    scope: "all",
    default: 0,
    parse: integer(0, 1_000_000),
    description:
      "Set equal to redisAppPasswordEpoch once the app uses the new password, to drop the previous one (until " +
      "then both are accepted; the next rotation drops it anyway)." +
      FORWARD,
  } satisfies KeySpec<number>,
  postgresMasterPasswordMode: aws<"generated" | "managed">({
    type: "string",
    default: "generated",
    parse: oneOf(["generated", "managed"]),
    description:
      "generated: the stack generates the RDS master password (write-only, rotated by postgresAdminPasswordEpoch). " +
      "managed: RDS keeps it in its own Secrets Manager secret and rotates it; refused with blue/green updates and with read replicas (AWS limitations).",
  }),
};

/**
 * A retired epoch names a rotation that happened (both platforms keep the previous Redis password until
 * then).
 */
export function credentialsRules(c: RuleContext): void {
  for (const [user, epochKey] of [
    ["Admin", "redisAdminPasswordEpoch"],
    ["App", "redisAppPasswordEpoch"],
  ] as const) {
    const retired = c.s[`redis${user}RetiredEpoch`] ?? 0;
    const epoch = c.s[epochKey] ?? 0;
    if (retired > epoch)
      c.problem(
        `Invalid value for ${c.fq(`redis${user}RetiredEpoch`)}: ${JSON.stringify(retired)}. Allowed values are: 0 to ${c.fq(epochKey)} (${epoch}).`,
      );
  }
}

/**
 * "Password management with Amazon RDS and AWS Secrets Manager", Limitations: not supported for creating a
 * read replica of a source whose credentials Secrets Manager manages (nor for blue/green deployments: checked
 * with that key, stack/postgres/keys.ts).
 */
export function credentialsAwsRules(c: RuleContext): void {
  const { s } = c;
  if (s.postgresMasterPasswordMode !== "managed") return;
  const replicaRegion = s.postgresCrossRegionReplicaRegion ?? "";
  const replicas = s.postgresReplicaCount ?? 0;
  if (replicas > 0 || replicaRegion)
    c.invalid(
      "postgresMasterPasswordMode",
      "managed",
      `generated while the primary has read replicas (postgresReplicaCount ${replicas}` +
        `${replicaRegion ? `, postgresCrossRegionReplicaRegion ${replicaRegion}` : ""}): RDS cannot create a read ` +
        "replica of a source whose master password Secrets Manager manages",
    );
}

type CredentialsParsed = Parsed<typeof credentialsKeys>;

/** Rotation epoch per generated credential; the dev tools share one. */
export const rotationEpochs = (s: CredentialsParsed): Record<CredentialName, number> => ({
  postgresAdmin: s.postgresAdminPasswordEpoch,
  postgresOwner: s.postgresOwnerPasswordEpoch,
  postgresApp: s.postgresAppPasswordEpoch,
  postgresReadonly: s.postgresReadonlyPasswordEpoch,
  redisAdmin: s.redisAdminPasswordEpoch,
  redisApp: s.redisAppPasswordEpoch,
  pgadmin: s.devToolsPasswordEpoch,
  redisCommander: s.devToolsPasswordEpoch,
});

/** The Redis users' epochs whose previous password is retired (part of both platforms' Redis settings). */
export const retiredEpochs = (s: CredentialsParsed) => ({
  retiredEpoch: { admin: s.redisAdminRetiredEpoch, app: s.redisAppRetiredEpoch },
});

/** Who owns the RDS master password (part of stack/postgres/rds-settings.ts). */
export const masterPasswordSettings = (s: CredentialsParsed): Pick<RdsSettings, "masterPasswordMode"> => ({
  masterPasswordMode: s.postgresMasterPasswordMode,
});
