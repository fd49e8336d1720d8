// The dev stack's own config keys: the optional admin tools (pgAdmin, Redis Commander).
import { InvalidValue, boolean, hostPort, key, pinnedImage } from "../config/key-spec";
import type { RuleContext } from "../config/rules";
import type { Parsed } from "../config/key-spec";

// pgAdmin >= 6.9 validates its login with email-validator, which refuses these special-use domains.
const SPECIAL_USE_DOMAINS = ["arpa", "invalid", "local", "localhost", "onion", "test"];

function email(raw: string): string {
  const allowed =
    "an email address such as admin@offthegrid.example.com whose domain is not special-use " +
    `(${SPECIAL_USE_DOMAINS.map((d) => "." + d).join(", ")} are refused by pgAdmin)`;
  const match = /^[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+([A-Za-z]{2,}))$/.exec(raw);
  if (!match || SPECIAL_USE_DOMAINS.includes(match[2].toLowerCase())) throw new InvalidValue(allowed);
  return raw;
}

export const localKeys = {
  devTools: key({
    type: "boolean",
    scope: "docker",
    default: false,
    parse: boolean,
    description: "Also run pgAdmin and Redis Commander.",
  }),
  pgadminImage: key({
    type: "string",
    scope: "docker",
    default: "dpage/pgadmin4:9.8",
    parse: pinnedImage(/^(docker\.io\/)?dpage\/pgadmin4$/, undefined, "dpage/pgadmin4:9.8"),
    description: "pgAdmin image, exact version.",
  }),
  pgadminHostPort: key({
    type: "integer",
    scope: "docker",
    default: 8080,
    parse: hostPort,
    description: "Host port (127.0.0.1) for pgAdmin when devTools is on.",
  }),
  pgadminEmail: key({
    type: "string",
    scope: "docker",
    default: "admin@offthegrid.example.com",
    parse: email,
    description: "pgAdmin login email; must be a valid address outside special-use domains such as .local.",
  }),
  redisCommanderImage: key({
    type: "string",
    scope: "docker",
    default: "ghcr.io/joeferner/redis-commander:0.9.0",
    parse: pinnedImage(
      /^(ghcr\.io\/joeferner\/redis-commander|(docker\.io\/)?rediscommander\/redis-commander)$/,
      undefined,
      "ghcr.io/joeferner/redis-commander:0.9.0",
    ),
    description: "Redis Commander image, exact version.",
  }),
  redisCommanderHostPort: key({
    type: "integer",
    scope: "docker",
    default: 8081,
    parse: hostPort,
    description: "Host port (127.0.0.1) for Redis Commander when devTools is on.",
  }),
};

/** Every service of the dev stack binds its own host port. */
export function localRules(c: RuleContext): void {
  const { s } = c;
  const ports: [string, number | undefined][] = [
    ["postgresHostPort", s.postgresHostPort],
    ["redisHostPort", s.redisHostPort],
    ["redisCacheHostPort", s.redisCacheHostPort],
  ];
  if (s.devTools)
    ports.push(["pgadminHostPort", s.pgadminHostPort], ["redisCommanderHostPort", s.redisCommanderHostPort]);
  ports.forEach(([name, port], i) => {
    const clash = ports.slice(0, i).find(([, other]) => other === port);
    // Both keys: either may be the one just changed.
    if (clash)
      c.problem(
        `Invalid values for ${c.fq(clash[0])} and ${c.fq(name)}: both are ${port}. Allowed values are: a different ` +
          "host port for each service; change either key.",
      );
  });
}

export const devToolsSettings = (s: Parsed<typeof localKeys>) => ({
  enabled: s.devTools,
  pgadminImage: s.pgadminImage,
  pgadminHostPort: s.pgadminHostPort,
  pgadminEmail: s.pgadminEmail,
  redisCommanderImage: s.redisCommanderImage,
  redisCommanderHostPort: s.redisCommanderHostPort,
});
