// `.env`: what the app reads, and only that. The app's own roles: never the schema owner's or an admin's URL,
// which stay in the stack outputs (`pulumi stack output --show-secrets`) for the CLIs that need them
// (`--stack`).
import * as fs from "node:fs";

export interface AppUrls {
  readonly DATABASE_URL: string;
  readonly READONLY_DATABASE_URL: string;
  /** The state store (noeviction): sessions, revocations, rate limits, websockets. */
  readonly REDIS_URL: string;
  /** The cache store (allkeys-lru), same user and password: cached views, counters, scratch values. */
  readonly REDIS_CACHE_URL: string;
}

/** Which stack output each .env variable comes from. */
export const ENV_FROM_OUTPUTS: Readonly<Record<keyof AppUrls, string>> = {
  DATABASE_URL: "postgresUrls.app",
  READONLY_DATABASE_URL: "postgresUrls.readonly",
  REDIS_URL: "redisUrls.app",
  REDIS_CACHE_URL: "redisUrls.cacheApp",
};

/**
 * Single-quoted unless plain: a password with `$` or `#` must reach the app as written (dotenv and `sh`
 * agree).
 */
const quoted = (value: string) =>
  /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;

export function renderEnvFile(urls: AppUrls, stack: string): string {
  return [
    `# Written by \`npm run dev\` from stack "${stack}"'s outputs; rewritten on every run (after a rotation too).`,
    "# Git-ignored, readable only by you. The owner and admin URLs are not here: use `--stack` with the CLIs.",
    ...Object.entries(urls).map(([k, v]) => `${k}=${quoted(v)}`),
    "",
  ].join("\n");
}

/** Written whole (a reader never sees half a file) and 0600 from the first byte. */
export function writePrivateFile(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text, { mode: 0o600 });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
}

/**
 * `KEY=value` lines back into a map (for tests and the re-run check); quotes as renderEnvFile writes them.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const entries = text
    .split("\n")
    .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
    .map((l) => {
      const [k, ...v] = l.split("=");
      const raw = v.join("=");
      return [k, raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw];
    });
  return Object.fromEntries(entries);
}
