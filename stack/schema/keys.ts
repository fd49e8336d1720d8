// The schema step's config key: where `pulumi up` reaches the primary to apply sql/ (AWS).
import { matching } from "../config/key-spec";
import type { Parsed } from "../config/key-spec";
import { aws, optional } from "../config/aws-parsers";

export const schemaKeys = {
  schemaEndpoint: aws({
    type: "string",
    default: "",
    parse: optional(
      matching(/^[A-Za-z0-9.-]+:\d{1,5}$/, ""),
      "host:port of a tunnel to the primary, e.g. localhost:15432",
    ),
    description:
      "Where `pulumi up` reaches the primary to apply the schema (tunnel); empty uses the writer endpoint.",
  }),
};

/** The tunnel as a structured endpoint (already validated as host:port); undefined: the writer endpoint. */
export function schemaEndpoint(s: Parsed<typeof schemaKeys>): { host: string; port: number } | undefined {
  const raw = s.schemaEndpoint;
  if (!raw) return undefined;
  const colon = raw.lastIndexOf(":");
  return { host: raw.slice(0, colon), port: Number(raw.slice(colon + 1)) };
}
