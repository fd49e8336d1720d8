// Where the traffic goes: the app's and readonly role's PostgreSQL URLs and the app user's Redis URLs (the
// state store and the cache store), from a
// `pulumi stack output --json --show-secrets` file or from the environment. Never from argv (ps and /proc
// show every process's command line; see cli/ops/urls.ts). Loopback only: this harness writes test rows into
// the database it is pointed at, so it refuses anything but a stack on this machine.
import * as fs from "node:fs";

export interface Targets {
  /** postgresql:// URL of the app role. */
  readonly postgresApp: string;
  /** postgresql:// URL of the readonly role. */
  readonly postgresReadonly: string;
  /** redis:// URL of the app user on the state store (noeviction). */
  readonly redisApp: string;
  /** redis:// URL of the app user on the cache store (allkeys-lru); each family goes to its store. */
  readonly redisCache: string;
}

/** Environment variables read when no outputs file is given (same names as the ops CLI where they exist). */
export const TARGET_ENV = {
  postgresApp: "DATABASE_URL",
  postgresReadonly: "READONLY_DATABASE_URL",
  redisApp: "REDIS_URL",
  redisCache: "REDIS_CACHE_URL",
} as const satisfies Record<keyof Targets, string>;

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetError";
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

/**
 * Throws unless `url` is a postgresql/redis URL on a loopback host; the message never includes the password.
 */
export function checkLoopback(what: string, url: string, schemes: readonly string[]): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TargetError(`${what} is not a URL`);
  }
  if (!schemes.includes(u.protocol.replace(/:$/, "")))
    throw new TargetError(`${what}: scheme ${u.protocol} is not allowed; allowed: ${schemes.join(", ")}`);
  if (!LOOPBACK.test(u.hostname))
    throw new TargetError(
      `${what}: host ${u.hostname} is not loopback. The traffic harness writes test data and runs only ` +
        "against a stack on this machine (127.0.0.1, ::1, localhost).",
    );
}

export function checkTargets(targets: Targets): Targets {
  checkLoopback("postgres app URL", targets.postgresApp, ["postgres", "postgresql"]);
  checkLoopback("postgres readonly URL", targets.postgresReadonly, ["postgres", "postgresql"]);
  checkLoopback("redis app URL", targets.redisApp, ["redis", "rediss"]);
  checkLoopback("redis cache URL", targets.redisCache, ["redis", "rediss"]);
  return targets;
}

/** Targets from a parsed `pulumi stack output --json --show-secrets` document. */
export function targetsFromOutputs(outputs: unknown, source = "stack outputs"): Targets {
  const o = outputs as { postgresUrls?: Record<string, unknown>; redisUrls?: Record<string, unknown> };
  const pick = (group: "postgresUrls" | "redisUrls", key: string): string => {
    const value = o?.[group]?.[key];
    if (value === "[secret]")
      throw new TargetError(
        `${source}: ${group}.${key} is masked; use pulumi stack output --json --show-secrets`,
      );
    if (typeof value !== "string" || !value)
      throw new TargetError(`${source}: ${group}.${key} is missing (expected the stack's outputs as JSON)`);
    return value;
  };
  return checkTargets({
    postgresApp: pick("postgresUrls", "app"),
    postgresReadonly: pick("postgresUrls", "readonly"),
    redisApp: pick("redisUrls", "app"),
    redisCache: pick("redisUrls", "cacheApp"),
  });
}

export function targetsFromFile(file: string): Targets {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new TargetError(
      `--outputs ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TargetError(`--outputs ${file} is not JSON (pulumi stack output --json --show-secrets > FILE)`);
  }
  return targetsFromOutputs(parsed, `--outputs ${file}`);
}

export function targetsFromEnv(env: NodeJS.ProcessEnv = process.env): Targets {
  const missing = Object.values(TARGET_ENV).filter((name) => !env[name]);
  if (missing.length)
    throw new TargetError(
      `${missing.join(", ")} not set: pass --outputs FILE (pulumi stack output --json --show-secrets > FILE) ` +
        `or set ${Object.values(TARGET_ENV).join(", ")}`,
    );
  return checkTargets({
    postgresApp: env[TARGET_ENV.postgresApp] as string,
    postgresReadonly: env[TARGET_ENV.postgresReadonly] as string,
    redisApp: env[TARGET_ENV.redisApp] as string,
    redisCache: env[TARGET_ENV.redisCache] as string,
  });
}
