// The dynamic provider behind SchemaMigrations. Pulumi serializes this object into the resource's
// `__provider` input and the engine's host loads it with require-from-string, so: no runtime Pulumi import
// here (the type import below is erased by tsc and only checks the provider's shape), no captured
// `pulumi.Config`, and everything it needs arrives as inputs (passwords as secret inputs, which the host
// hands over in plaintext and the engine stores encrypted because the output keys match).
import * as tls from "node:tls";
import type * as pulumi from "@pulumi/pulumi";
import type { ClientConfig } from "pg";
import {
  DEFAULT_HISTORY,
  bootstrap,
  connectAdmin as connectAdminSession,
  connectWithRetry,
  loadSqlParser,
  migrateUp,
  readHistory,
  setPasswordsUntracked,
} from "../../migrator";
import type { IamLogin } from "../../migrator/bootstrap";
import type { MigrationResultSet } from "../../migrator/run-types";
import {
  LegacyMigrationList,
  MigrationMap,
  MigrationRef,
  mapOf,
  readListed,
  refsOf,
} from "./migration-sources";
import { SchemaRefusal, refusalOf } from "./refusal";
import { type RecordedState, legacyLogins } from "./legacy-logins";
import { checkedWarnings, redactWarnings } from "./bootstrap-warnings";

export interface ConnectionInputs {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly sslmode: "disable" | "verify-full";
  /** PEM bundle that signs the server certificate; required for verify-full. */
  readonly caCert?: string;
  /** Name the certificate must carry when `host` is a tunnel (verify-full); defaults to host. */
  readonly tlsServerName?: string;
}

export interface LoginInputs {
  readonly name: string;
  readonly password: string;
}

/** A logical role: the NOLOGIN group and its two alternating LOGIN members (stack/credentials/roles.ts). */
export interface RoleInputs {
  readonly group: string;
  /**
   * The credential's rotation epoch: a legacy group login lives until it moves
   * (stack/schema/legacy-logins.ts).
   */
  readonly epoch: number;
  readonly current: LoginInputs;
  readonly previous: LoginInputs;
}

export interface SchemaInputs {
  readonly connection: ConnectionInputs;
  /**
   * Secret. `managePassword`: the provider sets this password on the admin role (dev superuser); RDS manages
   * its own.
   */
  readonly admin: { readonly user: string; readonly password: string; readonly managePassword: boolean };
  /** Secret. */
  readonly roles: { readonly owner: RoleInputs; readonly app: RoleInputs; readonly readonly: RoleInputs };
  /** Each sql/ file's name → checksum: the SQL itself is read from `directory`. */
  readonly migrations: MigrationMap;
  /**
   * The migration directory, relative to the project root (the provider host's working directory, as the
   * program's) or absolute. Not diffed: the same checkout elsewhere is the same migrations.
   */
  readonly directory: string;
  readonly marker: { readonly environment: string; readonly stack: string };
  /** IAM database authentication logins (RDS only): each a member of its role's group, granted rds_iam. */
  readonly iamLogins: readonly IamLogin[];
  readonly settings: {
    readonly connectDeadlineMs: number;
    readonly lockDeadlineMs: number;
    readonly lockTimeoutMs: number;
    readonly statementTimeoutMs: number;
  };
  /**
   * Each role's group and epoch, outside the secret `roles`: known during a rotation's preview, when `roles`
   * is one unknown value (its new password), so `check` can still work out `legacyLogins`. Not diffed
   * (`roles` is).
   */
  readonly roleEpochs?: Readonly<Record<string, { readonly group: string; readonly epoch: number }>>;
  /** Set by `check` (see withLegacyLogins); what `apply` decides is in the outputs. Not diffed. */
  readonly legacyLogins?: Readonly<Record<string, number>> | string;
  /**
   * Sent by the program: the unknown value in a preview, `[]` in an up (bootstrap-warnings.ts
   * checkedWarnings).
   */
  readonly warnings?: readonly string[] | string;
}

export interface SchemaOutputs extends Omit<SchemaInputs, "migrations" | "legacyLogins" | "warnings"> {
  /**
   * What the database has applied, name → checksum: what diff compares against and what preview plans from.
   * State written while the SQL was a property holds an array of (name, checksum, sql), rewritten at the next
   * update (diff forces it).
   */
  readonly migrations: MigrationMap | LegacyMigrationList;
  /** Groups that still accept their own pre-upgrade login, and the epoch it stays valid for. Not diffed. */
  readonly legacyLogins?: Readonly<Record<string, number>>;
  /**
   * What the last bootstrap could not do (e.g. REVOKEs an RDS master may not make), redacted of secrets; the
   * program logs each as a warning on the resource. Not diffed. Absent in state written before it existed.
   */
  readonly warnings?: readonly string[];
}

/**
 * What `create` and `update` throw when the migrations fail. With `id` (a migration ran, so the database
 * changed) the engine host records `properties` as the resource's state and `reasons` as why: the next `up`
 * sees the difference and resumes from what the database has.
 */
export class SchemaMigrationsError extends Error {
  override readonly name = "SchemaMigrationsError";
  readonly reasons?: string[];
  constructor(
    cause: Error,
    readonly id?: string,
    readonly properties?: Record<string, unknown>,
  ) {
    super(cause.message, { cause });
    // The host prints `${error}: ${error.stack}` for a failed create/update: the name and message, no frames
    // (the cause keeps the original stack for a debugger).
    this.stack = "";
    if (id !== undefined) this.reasons = [cause.message];
  }
}

/** The string the engine substitutes for values not known yet during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Refresh reads the history with this deadline instead of the create/update one (minutes, for a database that
 * is still booting): a refresh against a stopped database or a role that cannot log in should fail in
 * seconds.
 */
export const READ_DEADLINE_MS = 10_000;

/**
 * An input object, or undefined while it is unknown: an input built from one unknown output arrives whole as
 * UNKNOWN.
 */
function knownObject<T>(v: T | string | undefined): T | undefined {
  return typeof v === "object" && v !== null ? v : undefined;
}

function sslOf(c: ConnectionInputs): ClientConfig["ssl"] {
  // verify-full: the chain must lead to the given CA and the certificate must name the host.
  return c.sslmode === "verify-full"
    ? { ca: c.caCert, rejectUnauthorized: true, servername: c.tlsServerName || c.host, ...serverIdentity(c) }
    : false;
}

/**
 * Through a tunnel the connection goes to localhost but the certificate names the RDS endpoint: check that
 * name.
 */
function serverIdentity(c: ConnectionInputs) {
  if (!c.tlsServerName || c.tlsServerName === c.host) return {};
  const expected = c.tlsServerName;
  return {
    checkServerIdentity: (_host: string, cert: tls.PeerCertificate) =>
      tls.checkServerIdentity(expected, cert),
  };
}

function clientConfig(c: ConnectionInputs, user: string, password: string): ClientConfig {
  return { host: c.host, port: c.port, database: c.database, user, password, ssl: sslOf(c) };
}

function connectionFailures(
  c: ConnectionInputs,
  known: (v: unknown) => boolean,
): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  if (known(c.host) && (typeof c.host !== "string" || c.host === ""))
    failures.push({ property: "connection", reason: "host must be a non-empty string" });
  if (known(c.port) && !(Number.isInteger(c.port) && c.port > 0 && c.port < 65536))
    failures.push({ property: "connection", reason: `port must be 1-65535, got ${c.port}` });
  if (known(c.sslmode) && !["disable", "verify-full"].includes(c.sslmode))
    failures.push({
      property: "connection",
      reason: `sslmode must be disable or verify-full, got ${c.sslmode}`,
    });
  if (c.sslmode === "verify-full" && known(c.caCert) && !/-----BEGIN CERTIFICATE-----/.test(c.caCert ?? "")) {
    failures.push({
      property: "connection",
      reason: "sslmode verify-full needs caCert: the PEM bundle of the CA that signs the server certificate",
    });
  }
  return failures;
}

function failuresOf(news: SchemaInputs): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const known = (v: unknown) => v !== UNKNOWN && v !== undefined;
  const c = knownObject(news.connection);
  if (c) failures.push(...connectionFailures(c, known));
  for (const [key, role] of Object.entries(knownObject(news.roles) ?? {})) {
    if (known(role?.group) && !/^[a-z_][a-z0-9_]{0,62}$/.test(role.group))
      failures.push({ property: "roles", reason: `${key}: invalid role name ${role.group}` });
    for (const slot of ["current", "previous"] as const) {
      const login = knownObject(role?.[slot]);
      if (known(login?.name) && !/^[a-z_][a-z0-9_]{0,62}$/.test(login!.name))
        failures.push({ property: "roles", reason: `${key}.${slot}: invalid role name ${login!.name}` });
      if (known(login?.password) && (typeof login!.password !== "string" || login!.password.length < 16))
        failures.push({
          property: "roles",
          reason: `${key}.${slot}: password must be at least 16 characters`,
        });
    }
  }
  for (const login of Array.isArray(news.iamLogins) ? news.iamLogins : []) {
    if (
      !/^[a-z_][a-z0-9_]{0,62}$/.test(login?.name ?? "") ||
      !["owner", "app", "readonly"].includes(login?.role)
    )
      failures.push({ property: "iamLogins", reason: `invalid IAM login ${JSON.stringify(login)}` });
  }
  return failures;
}

/**
 * Connects as admin (search_path pinned, see migrator/admin-session.ts); on a rotated password that the
 * database does not know yet, falls back to the previous one and sets the new one without its verifier in any
 * statement text.
 */
async function connectAdmin(news: SchemaInputs, olds: SchemaOutputs | undefined) {
  const { connection, admin, settings } = news;
  const deadline = { deadlineMs: settings.connectDeadlineMs };
  try {
    return await connectAdminSession(clientConfig(connection, admin.user, admin.password), deadline);
  } catch (err) {
    const previous = olds?.admin?.password;
    if (
      (err as { code?: string }).code !== "28P01" ||
      !previous ||
      previous === admin.password ||
      !admin.managePassword
    )
      throw err;
    const client = await connectAdminSession(clientConfig(connection, admin.user, previous), deadline);
    try {
      await client.query("BEGIN");
      const warnings: string[] = [];
      await setPasswordsUntracked(client, { [admin.user]: admin.password }, warnings);
      await client.query("COMMIT");
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    return client;
  }
}

/**
 * The owner login to use: the current member, or (state written before the members existed) the single role.
 */
function ownerLogin(roles: SchemaInputs["roles"]): LoginInputs {
  const owner = roles.owner as RoleInputs | (RoleInputs & LoginInputs);
  return owner.current ?? (owner as LoginInputs);
}

async function appliedMigrations(news: SchemaInputs, deadlineMs = news.settings.connectDeadlineMs) {
  const owner = ownerLogin(news.roles);
  const client = await connectWithRetry(clientConfig(news.connection, owner.name, owner.password), {
    deadlineMs,
  });
  try {
    return (await readHistory(client, DEFAULT_HISTORY))
      .filter((r) => r.status === "applied")
      .map((r) => ({ name: r.name, checksum: r.checksum }));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Every password the inputs hold: none may appear in the (plaintext) warnings output. */
function passwordsOf(news: SchemaInputs): string[] {
  const roles = Object.values(news.roles ?? {}) as Partial<RoleInputs>[];
  return [news.admin?.password, ...roles.flatMap((r) => [r.current?.password, r.previous?.password])].filter(
    (p): p is string => typeof p === "string",
  );
}

function outputsOf(
  news: SchemaInputs,
  applied: readonly MigrationRef[],
  legacy: Readonly<Record<string, number>>,
  warnings: readonly string[],
): SchemaOutputs {
  const migrations = mapOf(applied);
  // Same keys as the (secret) inputs, so the engine stores admin and roles encrypted.
  return {
    legacyLogins: legacy,
    warnings: redactWarnings(warnings, passwordsOf(news)),
    connection: news.connection,
    admin: news.admin,
    roles: news.roles,
    ...(news.roleEpochs === undefined ? {} : { roleEpochs: news.roleEpochs }),
    marker: news.marker,
    iamLogins: news.iamLogins ?? [],
    settings: news.settings,
    directory: news.directory,
    migrations,
  };
}

async function apply(
  news: SchemaInputs,
  olds: SchemaOutputs | undefined,
  id: string,
  providerText: string,
): Promise<SchemaOutputs> {
  const files = readListed(news.directory, refsOf(news.migrations));
  const legacy = legacyLogins(news.roles, olds);
  const { owner: o, app: a, readonly: r } = news.roles;
  const admin = await connectAdmin(news, olds);
  let warnings: readonly string[];
  try {
    ({ warnings } = await bootstrap(admin, {
      database: news.connection.database,
      roles: { owner: o.group, app: a.group, readonly: r.group },
      members: {
        owner: [o.current.name, o.previous.name],
        app: [a.current.name, a.previous.name],
        readonly: [r.current.name, r.previous.name],
      },
      legacyLogins: Object.keys(legacy),
      // Every apply (re)sets both members' passwords: the rotated one takes effect, the previous one is the
      // same password (clients holding it keep working), and any drift is healed.
      setPasswords: Object.fromEntries(
        [o, a, r].flatMap((role) => [role.current, role.previous]).map((l) => [l.name, l.password]),
      ),
      marker: news.marker,
      iamLogins: news.iamLogins ?? [],
    }));
  } finally {
    await admin.end().catch(() => undefined);
  }
  const owner = o.current;
  const outcome = await migrateUp({
    connection: clientConfig(news.connection, owner.name, owner.password),
    migrations: files,
    lockTimeoutMs: news.settings.lockTimeoutMs,
    statementTimeoutMs: news.settings.statementTimeoutMs,
    lockDeadlineMs: news.settings.lockDeadlineMs,
    connectDeadlineMs: news.settings.connectDeadlineMs,
    refuseAdminLogin: `the owner member ${owner.name}`,
  });
  if (outcome.error) throw await failure(outcome, news, legacy, warnings, id, providerText);
  return outputsOf(news, refsOf(news.migrations), legacy, warnings);
}

/** The one error apply throws for failed migrations; partial (with state to record) when a migration ran. */
async function failure(
  outcome: MigrationResultSet,
  news: SchemaInputs,
  legacy: Readonly<Record<string, number>>,
  warnings: readonly string[],
  id: string,
  providerText: string,
): Promise<SchemaMigrationsError> {
  if (!outcome.results.some((r) => r.status !== "not-executed"))
    return new SchemaMigrationsError(outcome.error!);
  const properties = {
    ...outputsOf(news, await appliedMigrations(news), legacy, warnings),
    __provider: providerText,
  };
  return new SchemaMigrationsError(outcome.error!, id, properties);
}

/**
 * `legacyLogins` in the inputs too, worked out as `apply` will: a preview shows a dynamic resource's inputs
 * as its outputs, so a key only the outputs had showed as removed in every `preview --diff`. From `roles`, or
 * while a rotated password keeps them unknown from `roleEpochs`; unknown if neither is known. `olds` are the
 * previous inputs.
 */
function withLegacyLogins(olds: SchemaInputs, news: SchemaInputs): SchemaInputs {
  const epochs = knownObject(news.roles) ?? knownObject(news.roleEpochs);
  const known =
    epochs !== undefined &&
    Object.values(epochs).every((r) => typeof r?.group === "string" && typeof r?.epoch === "number");
  const previous = Object.keys(olds ?? {}).length > 0 ? (olds as RecordedState) : undefined;
  return { ...news, legacyLogins: known ? legacyLogins(epochs, previous) : UNKNOWN };
}

/**
 * Any failure of an apply as a SchemaMigrationsError: its message without stack frames (the original is its
 * cause).
 */
async function readable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw err instanceof SchemaMigrationsError ? err : new SchemaMigrationsError(err as Error);
  }
}

function idOf(news: SchemaInputs): string {
  return `${news.connection.host}:${news.connection.port}/${news.connection.database}`;
}

/** Key order does not count: the engine hands back stored outputs with their keys sorted. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

export const schemaProvider = {
  /**
   * Reads the listed files (held to the program's checksums). For a new resource it also decides what `up`
   * would refuse, against an empty history: an update decides in `diff`, which sees what the state records as
   * applied.
   */
  async check(olds: SchemaInputs, news: SchemaInputs) {
    await loadSqlParser();
    const failures = failuresOf(news);
    const creating = Object.keys(olds ?? {}).length === 0;
    try {
      // Property "" for the migrations: the CLI prints a named property's whole value beside the reason.
      const files = readListed(news.directory, refsOf(news.migrations));
      const refusal = creating && failures.length === 0 ? await refusalOf(files, []) : undefined;
      if (refusal) failures.push({ property: "", reason: refusal });
    } catch (err) {
      failures.push({ property: "", reason: (err as Error).message });
    }
    return {
      inputs: { ...withLegacyLogins(olds, news), warnings: checkedWarnings(news.warnings, UNKNOWN) },
      failures,
    };
  },

  /**
   * Refuses, in preview as in up, what `up` would refuse given the applied (name, checksum) pairs the state
   * records (an applied file changed, deleted or renamed, a new one numbered below them, the lint of the new
   * ones), with the migrator's message. Otherwise compares checksums and settings. No database round trip, so
   * previews stay offline. Never a replace.
   */
  async diff(_id: string, olds: SchemaOutputs, news: SchemaInputs) {
    const recorded = refsOf(olds.migrations);
    await loadSqlParser();
    let refusal: string | undefined;
    try {
      refusal = await refusalOf(readListed(news.directory, refsOf(news.migrations)), recorded);
    } catch (err) {
      refusal = (err as Error).message;
    }
    if (refusal) throw new SchemaRefusal(refusal);
    const changed: string[] = [];
    // A state written while the SQL was a property (an array, with each migration's SQL) is rewritten once in
    // the new form.
    const legacyForm = Array.isArray(olds.migrations);
    if (legacyForm || !same(recorded, refsOf(news.migrations))) changed.push("migrations");
    for (const key of ["connection", "admin", "roles", "marker", "iamLogins", "settings"] as const) {
      if (!same(olds[key], news[key])) changed.push(key);
    }
    return {
      changes: changed.length > 0,
      replaces: [] as string[],
      deleteBeforeReplace: false,
      stables: [] as string[],
      changed,
    };
  },

  async create(inputs: SchemaInputs & { __provider: string }) {
    const id = idOf(inputs);
    return { id, outs: await readable(apply(inputs, undefined, id, inputs.__provider)) };
  },

  async update(id: string, olds: SchemaOutputs, news: SchemaInputs & { __provider: string }) {
    return { outs: await readable(apply(news, olds, id, news.__provider)) };
  },

  /**
   * Refresh: report the migrations the database really has applied. A failed read leaves the state as it was.
   */
  async read(id: string, props: SchemaOutputs) {
    const inputs = props as unknown as SchemaInputs;
    try {
      const applied = await appliedMigrations(inputs, READ_DEADLINE_MS);
      return { id, props: { ...props, migrations: mapOf(applied) } };
    } catch (err) {
      const c = inputs.connection;
      throw new Error(
        `SchemaMigrations ${id}: cannot read the applied migrations from ${c.host}:${c.port}/${c.database} as ` +
          `${ownerLogin(inputs.roles).name} within ${READ_DEADLINE_MS / 1000}s (${(err as Error).message}); the state is ` +
          "unchanged. Start the database (or fix the login) and refresh again.",
      );
    }
  },

  /**
   * Nothing here ever drops data: deleting the resource only forgets it. The schema stays in the database.
   */
  async delete() {
    return;
  },
} satisfies pulumi.dynamic.ResourceProvider;
