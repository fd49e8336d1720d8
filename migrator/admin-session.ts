// Sessions with admin rights (dev superuser, RDS master, the provider's admin connection, the ops CLI's admin
// and read-only reports) resolve names only in pg_catalog. PostgreSQL picks the best-matching function or
// operator across the whole search_path, so with the default `"$user", public` an owner-made
// `public.count(timestamptz)` beats `pg_catalog.count("any")` and runs with the caller's rights (the
// CVE-2018-1058 pattern); `public` and `migrations` belong to the schema owner. The path is pinned in the
// startup packet, so it holds from the first statement on, whatever the role's or database's defaults say; it
// is read back once, and set for the session if a pooler dropped the startup option.
import type { Client, ClientConfig } from "pg";
import { connectWithRetry } from "./connect";

/**
 * pg_temp last: a temporary relation never shadows a catalog one (functions are never looked up in pg_temp).
 */
export const ADMIN_SEARCH_PATH = "pg_catalog, pg_temp";

const PIN = "-c search_path=pg_catalog,pg_temp";

/** `options` with any search_path setting removed and the pinned one appended. */
function pinnedOptions(options: string | undefined): string {
  const kept = (options ?? "").replace(/(^|\s)(?:-c\s*|--)search_path=\S*/g, " ").trim();
  return kept ? `${kept} ${PIN}` : PIN;
}

/**
 * The same connection with the pinned search_path. A URL's own `options` parameter would override a separate
 * `options` field (pg parses the URL over the config), so the pin goes into the URL itself.
 */
export function adminConnection(config: ClientConfig): ClientConfig {
  if (!config.connectionString) return { ...config, options: pinnedOptions(config.options) };
  let url: URL;
  try {
    url = new URL(config.connectionString);
  } catch {
    // A libpq key=value string: pg does not read `options` from it, so the field applies.
    return { ...config, options: pinnedOptions(config.options) };
  }
  url.searchParams.set("options", pinnedOptions(url.searchParams.get("options") ?? config.options));
  const { options: _ignored, ...rest } = config;
  return { ...rest, connectionString: url.toString() };
}

/** Whether adminConnection made this config. */
export function isPinned(config: ClientConfig): boolean {
  const options = config.connectionString
    ? (() => {
        try {
          return new URL(config.connectionString).searchParams.get("options") ?? undefined;
        } catch {
          return config.options;
        }
      })()
    : config.options;
  return (options ?? "").includes(PIN);
}

/** Reads the session's search_path back once and sets it when the startup option did not arrive. */
export async function ensurePinned(client: Client): Promise<void> {
  const { rows } = await client.query("SELECT pg_catalog.current_setting('search_path') AS path");
  if (rows[0].path.replace(/\s/g, "") === ADMIN_SEARCH_PATH.replace(/\s/g, "")) return;
  await client.query("SELECT pg_catalog.set_config('search_path', $1, false)", [ADMIN_SEARCH_PATH]);
}

/** connectWithRetry for an admin session: pinned in the startup packet, checked once after. */
export async function connectAdmin(
  config: ClientConfig,
  options: Parameters<typeof connectWithRetry>[1],
): Promise<Client> {
  const client = await connectWithRetry(adminConnection(config), options);
  try {
    await ensurePinned(client);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

/**
 * For a library entry point handed a client it did not open: pins the session and returns the function that
 * puts the caller's search_path back (a no-op when the client was already pinned).
 */
export async function pinnedFor(client: Client): Promise<() => Promise<void>> {
  const { rows } = await client.query("SELECT pg_catalog.current_setting('search_path') AS path");
  const original: string = rows[0].path;
  if (original.replace(/\s/g, "") === ADMIN_SEARCH_PATH.replace(/\s/g, "")) return async () => undefined;
  await client.query("SELECT pg_catalog.set_config('search_path', $1, false)", [ADMIN_SEARCH_PATH]);
  return async () => {
    await client
      .query("SELECT pg_catalog.set_config('search_path', $1, false)", [original])
      .catch(() => undefined);
  };
}

/**
 * True when the session's login can do what the schema owner cannot: superuser, CREATEROLE, BYPASSRLS, or
 * (RDS) a member of rds_superuser. Such a login must never run code the owner wrote (migrations, the schema's
 * functions): the commands that do refuse it (assertNotAdmin).
 */
export async function isAdminLogin(
  client: Client,
): Promise<{ admin: boolean; login: string; why: string[] }> {
  const { rows } = await client.query(
    `SELECT r.rolname AS login, r.rolsuper AS superuser, r.rolcreaterole AS createrole, r.rolbypassrls AS bypassrls,
            EXISTS (SELECT FROM pg_catalog.pg_roles s WHERE s.rolname = 'rds_superuser'
                       AND pg_catalog.pg_has_role(r.oid, s.oid, 'MEMBER')) AS rds_superuser
       FROM pg_catalog.pg_roles r WHERE r.rolname = session_user`,
  );
  const r = rows[0];
  const why = [
    r.superuser && "SUPERUSER",
    r.createrole && "CREATEROLE",
    r.bypassrls && "BYPASSRLS",
    r.rds_superuser && "member of rds_superuser",
  ].filter((w): w is string => typeof w === "string");
  return { admin: why.length > 0, login: r.login, why };
}

/**
 * Refuses, naming the login and the URL to use instead, a session that would run owner code with admin
 * rights.
 */
export async function assertNotAdmin(client: Client, what: string, instead: string): Promise<void> {
  const { admin, login, why } = await isAdminLogin(client);
  if (admin)
    throw new Error(
      `Refusing to ${what} as ${login} (${why.join(", ")}): it runs SQL the schema owner wrote, which must never ` +
        `run with admin rights. Log in as ${instead}.`,
    );
}
