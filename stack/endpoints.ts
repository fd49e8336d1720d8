// The platform-neutral result of provisioning: where each store listens and how to reach it. The Docker and
// AWS stacks both produce this, so outputs and the schema step are wired the same way for every environment.
import * as pulumi from "@pulumi/pulumi";
import type { CredentialName } from "./credentials/credential-names";
import type { IamLogin } from "../migrator/bootstrap";

export interface PostgresEndpoint {
  readonly host: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly database: string;
  /** libpq sslmode the clients must use: `disable` on the loopback dev container, `verify-full` on AWS. */
  readonly sslmode: "disable" | "verify-full";
  /** PEM bundle that signs the server certificate (AWS). */
  readonly caCert?: pulumi.Input<string>;
}

export interface DataStoreEndpoints {
  readonly postgres: PostgresEndpoint;
  /** Where the app role connects when it differs from `postgres` (an RDS Proxy, with its own CA). */
  readonly postgresApp?: PostgresEndpoint;
  /** Where `pulumi up` reaches the primary to apply the schema (a tunnel, or the primary itself). */
  readonly schemaTarget: {
    readonly host: pulumi.Input<string>;
    readonly port: pulumi.Input<number>;
    readonly tlsServerName?: pulumi.Input<string>;
  };
  /** IAM database authentication logins, each granted rds_iam (AWS only; stack/credentials/roles.ts). */
  readonly iamLogins: readonly IamLogin[];
  /**
   * The password the schema step logs in as the admin with, where the platform owns it (an RDS-managed master
   * password, read from RDS's secret); undefined: the generated postgresAdmin password.
   */
  readonly adminPassword?: pulumi.Output<string>;
  /** Resources that must be up (healthy container, available instance) before the schema is applied. */
  readonly postgresReady: pulumi.Resource[];
  /** Read replicas' endpoints (AWS only). */
  readonly postgresReaders: readonly PostgresEndpoint[];
  /** The state store (noeviction). */
  readonly redis: RedisEndpoint;
  /** The cache store (allkeys-lru): same users and passwords, the app user's cache families. */
  readonly redisCache: RedisEndpoint;
  /** Admin tools (dev only, when enabled): where they listen and which generated login opens them. */
  readonly tools: Readonly<Record<string, ToolEndpoint>>;
}

export interface RedisEndpoint {
  readonly host: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly tls: boolean;
}

export interface ToolEndpoint {
  readonly url: string;
  readonly login: string;
  readonly credential: CredentialName;
}
