// The dev stack's Docker containers: loopback ports, pinned images, healthchecks, secrets as files.
import { CONTAINER, REMOTE_IMAGE, onType, label, resourcePolicy } from "./kit";
import { fixes } from "./fixes";

/** The config key or stack file behind each property this file's rules report on (policy/fixes.ts). */
export const localFixes = fixes("policy/local.ts", {
  codeSet: {
    [REMOTE_IMAGE]: { name: "stack/local/service-container.ts" },
    [CONTAINER]: {
      ports: "stack/local/service-container.ts",
      healthcheck: "stack/local/service-container.ts",
      envs: "stack/local/service-container.ts",
    },
  },
  imageKeys: [
    [/commander/, "redisCommanderImage"],
    [/pgadmin/, "pgadminImage"],
    [/postgres/, "postgresImage"],
    [/redis/, "redisImage"],
  ],
});
const { fix } = localFixes;

export const dockerPortsLoopback = () =>
  resourcePolicy(
    "docker-ports-loopback",
    "Dev containers publish ports on 127.0.0.1 only.",
    onType(CONTAINER, (p, a, report) => {
      for (const port of p.ports ?? []) {
        if (port.external !== undefined && !["127.0.0.1", "::1"].includes(port.ip)) {
          report(
            `Container ${a.name} publishes port ${port.external} on ${port.ip ?? "0.0.0.0"}: ${fix(CONTAINER, "ports", "to bind 127.0.0.1 (ports[].ip)")}.`,
          );
        }
      }
    }),
  );

export const dockerImagePinned = () =>
  resourcePolicy(
    "docker-image-pinned",
    "Images are pinned to an exact version (or digest), never latest.",
    (args, report) => {
      const image =
        args.type === REMOTE_IMAGE
          ? args.props.name
          : args.type === CONTAINER && !/^sha256:/.test(String(args.props.image ?? ""))
            ? args.props.image
            : undefined;
      if (image === undefined) return;
      const exact =
        /@sha256:[0-9a-f]{64}$/.test(image) || /:\d+\.\d+(\.\d+)?([-.][A-Za-z0-9.]+)?$/.test(image);
      if (!exact)
        report(
          `${label(args)} uses image "${image}": pin an exact version (such as postgres:17.10-bookworm) or a digest: ${fix(REMOTE_IMAGE, "name", "", args.name)}.`,
        );
    },
  );

export const dockerHealthcheck = () =>
  resourcePolicy(
    "docker-healthcheck",
    "Every container has a healthcheck.",
    onType(CONTAINER, (p, a, report) => {
      if (!(p.healthcheck?.tests ?? []).length)
        report(
          `Container ${a.name} has no healthcheck: ${fix(CONTAINER, "healthcheck", "(e.g. pg_isready, an authenticated redis-cli ping)")}.`,
        );
    }),
  );

export const dockerSecretsAsFiles = () =>
  resourcePolicy(
    "docker-secrets-as-files",
    "Environment variables named like a password, secret or token are only the *_FILE form.",
    onType(CONTAINER, (p, a, report) => {
      for (const env of p.envs ?? []) {
        const key = String(env).split("=")[0];
        if (/PASSWORD|SECRET|TOKEN/i.test(key) && !/_FILE$/i.test(key)) {
          report(
            `Container ${a.name} passes ${key} as a plain environment variable: upload the value as a file and set ${key}_FILE instead (${fix(CONTAINER, "envs", "")}).`,
          );
        }
      }
    }),
  );

export const localPolicies = [
  dockerPortsLoopback(),
  dockerImagePinned(),
  dockerHealthcheck(),
  dockerSecretsAsFiles(),
];
