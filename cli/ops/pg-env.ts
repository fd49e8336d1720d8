// Connection settings for libpq tools (pg_dump, pg_restore). Every parameter of the URL travels in the tool's
// environment, none is dropped: a tool started without the URL's sslmode/sslrootcert falls back to libpq's
// `prefer`, an unverified connection a man in the middle can downgrade. The password never goes on argv.

/** URL query parameters and the libpq environment variables that carry them. */
const PARAMETER_ENV: Readonly<Record<string, string>> = {
  sslmode: "PGSSLMODE",
  sslrootcert: "PGSSLROOTCERT",
  sslcert: "PGSSLCERT",
  sslkey: "PGSSLKEY",
  sslcrl: "PGSSLCRL",
  sslcrldir: "PGSSLCRLDIR",
  sslsni: "PGSSLSNI",
  sslnegotiation: "PGSSLNEGOTIATION",
  sslcompression: "PGSSLCOMPRESSION",
  ssl_min_protocol_version: "PGSSLMINPROTOCOLVERSION",
  ssl_max_protocol_version: "PGSSLMAXPROTOCOLVERSION",
  channel_binding: "PGCHANNELBINDING",
  require_auth: "PGREQUIREAUTH",
  gssencmode: "PGGSSENCMODE",
  connect_timeout: "PGCONNECT_TIMEOUT",
  application_name: "PGAPPNAME",
  target_session_attrs: "PGTARGETSESSIONATTRS",
  options: "PGOPTIONS",
  hostaddr: "PGHOSTADDR",
};

/**
 * The environment for a libpq tool reaching `url`: ambient PG* variables are dropped (a stray
 * PGSSLMODE=disable or PGHOST must not redirect a restore), and SCRAM is required unless the URL says
 * otherwise (libpq >= 16 honours PGREQUIREAUTH; older clients ignore it, so use sslmode=verify-full with
 * them).
 */
export function libpqEnvironment(url: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const u = new URL(url);
  if (u.protocol !== "postgresql:" && u.protocol !== "postgres:")
    throw new Error(`Invalid PostgreSQL URL: expected postgresql://…, got ${u.protocol}//…`);
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(base).filter(([key]) => !key.startsWith("PG")),
  );
  env.PGHOST = decodeURIComponent(u.hostname.replace(/^\[(.*)\]$/, "$1"));
  env.PGPORT = u.port || "5432";
  env.PGUSER = decodeURIComponent(u.username);
  env.PGPASSWORD = decodeURIComponent(u.password);
  env.PGDATABASE = decodeURIComponent(u.pathname.slice(1));
  env.PGREQUIREAUTH = "scram-sha-256";
  for (const [key, value] of u.searchParams) {
    const variable = PARAMETER_ENV[key];
    if (!variable)
      throw new Error(
        `Unsupported parameter "${key}" in the PostgreSQL URL: pg_dump/pg_restore would not apply it. ` +
          `Allowed parameters are: ${Object.keys(PARAMETER_ENV).join(", ")}.`,
      );
    env[variable] = value;
  }
  if (!env.PGUSER) delete env.PGUSER;
  if (!env.PGPASSWORD) delete env.PGPASSWORD;
  return env;
}
