import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "./tags";

/** An IAM role that one AWS service (e.g. monitoring.rds.amazonaws.com) may assume. */
export function serviceRole(name: string, service: string, tags: Tags, parent: pulumi.Resource): iam.Role {
  return new iam.Role(
    name,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
      }),
      tags,
    },
    { parent },
  );
}
