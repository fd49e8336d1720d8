// A SCRAM-SHA-256 verifier computed in the client (RFC 5802/7677, as PostgreSQL stores it), so
// `ALTER ROLE … PASSWORD '<verifier>'` never sends the plaintext to the server, its logs or CloudWatch.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

export function scramSha256Verifier(
  password: string,
  iterations = 4096,
  salt: Buffer = randomBytes(16),
): string {
  if (!/^[\x21-\x7e]+$/.test(password)) {
    // SASLprep is the identity on printable ASCII; our generated passwords never leave it.
    throw new Error("scramSha256Verifier: only printable ASCII passwords are supported");
  }
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
