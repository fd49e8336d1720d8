// Credentials: an RDS-managed master password (no read replicas, the stack's own key).
import type { StackValidationPolicy } from "@pulumi/policy";
import { RDS_INSTANCE, onType, isPrimary, sourceOf, resourcePolicy } from "./kit";
import { fixes } from "./fixes";

/** The config key or stack file behind each property this file's rules report on (policy/fixes.ts). */
export const credentialsFixes = fixes("policy/credentials.ts", {
  propertyKeys: {
    [RDS_INSTANCE]: {
      manageMasterUserPassword: "postgresMasterPasswordMode",
      replicas: "postgresReplicaCount",
    },
  },
  codeSet: { [RDS_INSTANCE]: { masterUserSecretKmsKeyId: "stack/postgres/rds.ts" } },
});
const { fix } = credentialsFixes;

/**
 * RDS user guide, "Password management with Amazon RDS and AWS Secrets Manager" (Limitations): creating a
 * read replica of a source whose master password Secrets Manager manages is not supported (nor is one of
 * RDS's update modes with it: the postgres rules check that half).
 */
export const rdsManagedPasswordNoReplicas = (): StackValidationPolicy => ({
  name: "rds-managed-password-no-replicas",
  description:
    "An RDS primary with an RDS-managed master password has no read replicas (AWS does not support them).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === RDS_INSTANCE);
    for (const db of instances.filter(
      (r) => isPrimary(r.props) && r.props.manageMasterUserPassword === true,
    )) {
      const replicas = instances.filter((r) => sourceOf(instances, r) === db);
      if (replicas.length)
        report(
          `RDS instance ${db.name} has an RDS-managed master password and read replicas (${replicas.map((r) => r.name).join(", ")}): RDS cannot create a replica of such a source. ${fix(RDS_INSTANCE, "manageMasterUserPassword", "to generated")}, or ${fix(RDS_INSTANCE, "replicas", "to 0")}.`,
          db.urn,
        );
    }
  },
});

export const rdsManagedPasswordKey = () =>
  resourcePolicy(
    "rds-managed-password-cmk",
    "An RDS-managed master secret is encrypted with the stack's customer key, not Secrets Manager's default key.",
    onType(RDS_INSTANCE, (p, a, report) => {
      if (p.manageMasterUserPassword === true && !p.masterUserSecretKmsKeyId)
        report(
          `RDS instance ${a.name} keeps its master password in a secret under the default aws/secretsmanager key: ${fix(RDS_INSTANCE, "masterUserSecretKmsKeyId", "to the stack's key")}.`,
        );
    }),
  );

export const credentialsPolicies = [rdsManagedPasswordNoReplicas(), rdsManagedPasswordKey()];
