// Credentials' config keys: one rotation epoch per generated password, the epochs whose previous Redis password is
// retired, and who owns the RDS master password.
import { KeySpec, epoch, integer, key, oneOf } from "../config/key-spec";
import { aws } from "../config/aws-parsers";

const rotation = (what: string, effect = "") =>
  key({
    type: "integer",
    scope: "all",
    default: 0,
    parse: epoch,
    description: `Rotation epoch of ${what}; increase it by one to generate a new password on the next \`pulumi up\`.${effect}`,
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
      "then both are accepted; the next rotation drops it anyway).",
  } satisfies KeySpec<number>,
  redisAppRetiredEpoch: {
    type: "integer",
    scope: "all",
    default: 0,
    parse: integer(0, 1_000_000),
    description:
      "Set equal to redisAppPasswordEpoch once the app uses the new password, to drop the previous one (until " +
      "then both are accepted; the next rotation drops it anyway).",
  } satisfies KeySpec<number>,
  postgresMasterPasswordMode: aws<"generated" | "managed">({
    type: "string",
    default: "generated",
    parse: oneOf(["generated", "managed"]),
    description:
      "generated: the stack generates the RDS master password (write-only, rotated by postgresAdminPasswordEpoch). " +
      "managed: RDS keeps it in its own Secrets Manager secret and rotates it; refused with postgresBlueGreenUpdate and with read replicas (AWS limitations).",
  }),
};
