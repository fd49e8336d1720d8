// The validated, typed view of a stack's config. Components receive pieces of this, never `pulumi.Config`.
import type { Environment } from "./keys";

export const CREDENTIALS = [
  "postgresAdmin",
  "postgresOwner",
  "postgresApp",
  "postgresReadonly",
  "redisAdmin",
  "redisApp",
  "pgadmin",
  "redisCommander",
] as const;
export type CredentialName = (typeof CREDENTIALS)[number];

export type Platform = "docker" | "aws";

interface CommonConfig {
  readonly project: string;
  readonly stack: string;
  readonly environment: Environment;
  readonly owner: string;
  readonly postgresDatabase: string;
  /** Rotation epoch per generated credential; bumping one regenerates just that password. */
  readonly rotation: Readonly<Record<CredentialName, number>>;
}

export interface DockerStackConfig extends CommonConfig {
  readonly platform: "docker";
  readonly postgres: { readonly image: string; readonly hostPort: number };
  readonly redis: { readonly image: string; readonly hostPort: number; readonly maxmemoryMb: number };
  readonly tools: {
    readonly enabled: boolean;
    readonly pgadminImage: string;
    readonly pgadminHostPort: number;
    readonly pgadminEmail: string;
    readonly redisCommanderImage: string;
    readonly redisCommanderHostPort: number;
  };
}

export interface Subnet {
  readonly id: string;
  readonly availabilityZone: string;
}

export interface AwsStackConfig extends CommonConfig {
  readonly platform: "aws";
  readonly network: {
    readonly vpcId: string;
    readonly privateSubnets: readonly Subnet[];
    readonly allowedCidrs: readonly string[];
    readonly allowedSecurityGroupIds: readonly string[];
  };
}

export type StackConfig = DockerStackConfig | AwsStackConfig;
