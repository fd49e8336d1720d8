// The RDS-managed master secret (postgresMasterPasswordMode: managed) holds JSON {"username", "password"}
// (RDS user guide, "Password management with Amazon RDS and AWS Secrets Manager"). Pure, so the parsing and
// its error (which must never echo the secret) are tested without Pulumi.

export function managedMasterPassword(secretString: string | undefined, secretArn: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? "");
  } catch {
    parsed = undefined;
  }
  const password = (parsed as { password?: unknown } | undefined)?.password;
  if (typeof password !== "string" || password === "") {
    // Never the value itself: it is a secret, and a malformed one may still hold the password.
    throw new Error(
      `The RDS-managed master secret ${secretArn} holds no JSON "password" field (${secretString === undefined ? "no value" : `${secretString.length} characters`}): ` +
        "the schema step cannot log in as the master. Check the secret's AWSCURRENT version in Secrets Manager.",
    );
  }
  return password;
}
