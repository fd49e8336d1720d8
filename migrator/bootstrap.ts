// The privileged step, over the admin connection (dev superuser, RDS master): roles, their passwords,
// extensions that need privilege, schema ownership and default privileges, and the stack marker. Idempotent.
import type { Client } from "pg";
import { scramSha256Verifier } from "./scram";
import { ident, literal } from "./sql-text";

export interface BootstrapRoles {
  readonly owner: string;
  readonly app: string;
  readonly readonly: string;
}

export interface BootstrapOptions {
  readonly database: string;
  readonly roles: BootstrapRoles;
  /** Passwords to (re)set, by role name. Roles not listed keep their password. */
  readonly setPasswords: Readonly<Record<string, string>>;
  /** Written to migrations.stack_marker; the ops CLI's `reset` refuses databases not marked `dev`. */
  readonly marker: { readonly environment: string; readonly stack: string };
  readonly historySchema?: string;
  /** Roles granted rds_iam (IAM database authentication; the role exists on RDS only). */
  readonly rdsIamRoles?: readonly string[];
}

export async function bootstrap(admin: Client, o: BootstrapOptions): Promise<void> {
  const { owner, app, readonly } = o.roles;
  const history = ident(o.historySchema ?? "migrations");
  const { rows: existing } = await admin.query("SELECT rolname FROM pg_roles WHERE rolname = ANY($1)", [
    [owner, app, readonly],
  ]);
  const { rows: me } = await admin.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
  const present = new Set(existing.map((r) => r.rolname));

  await admin.query("BEGIN");
  try {
    for (const role of [owner, app, readonly]) {
      if (!present.has(role)) await admin.query(`CREATE ROLE ${ident(role)} LOGIN`);
      await admin.query(
        `ALTER ROLE ${ident(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION`,
      );
    }
    for (const [role, password] of Object.entries(o.setPasswords)) {
      await admin.query(`ALTER ROLE ${ident(role)} WITH PASSWORD ${literal(scramSha256Verifier(password))}`);
    }
    // RDS's master is not a superuser: it must be a member of the owner role to hand it objects.
    if (!me[0].rolsuper) await admin.query(`GRANT ${ident(owner)} TO current_user`);

    const db = ident(o.database);
    const statements = [
      `REVOKE ALL ON DATABASE ${db} FROM PUBLIC`,
      `GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${ident(owner)}, ${ident(app)}, ${ident(readonly)}`,
      "CREATE EXTENSION IF NOT EXISTS pg_stat_statements",
      `GRANT pg_monitor TO ${ident(readonly)}`,
      `ALTER SCHEMA public OWNER TO ${ident(owner)}`,
      "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
      `GRANT USAGE ON SCHEMA public TO ${ident(app)}, ${ident(readonly)}`,
      `CREATE SCHEMA IF NOT EXISTS ${history} AUTHORIZATION ${ident(owner)}`,
      `ALTER SCHEMA ${history} OWNER TO ${ident(owner)}`,
      `GRANT USAGE ON SCHEMA ${history} TO ${ident(readonly)}`,
      // Objects the owner creates later follow these rules: the app gets DML, read-only gets SELECT.
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${ident(app)}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${ident(app)}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA public GRANT SELECT ON TABLES TO ${ident(readonly)}`,
      // pg_dump as the read-only role must read sequences too.
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA public GRANT SELECT ON SEQUENCES TO ${ident(readonly)}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA ${history} GRANT SELECT ON TABLES TO ${ident(readonly)}`,
      // …and what already exists (idempotent).
      `GRANT SELECT ON ALL TABLES IN SCHEMA ${history} TO ${ident(readonly)}`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ident(readonly)}`,
      `CREATE TABLE IF NOT EXISTS ${history}.stack_marker (
         singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
         environment text NOT NULL, stack text NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`,
      `GRANT SELECT ON ${history}.stack_marker TO ${ident(readonly)}, ${ident(owner)}`,
    ];
    for (const role of o.rdsIamRoles ?? []) statements.push(`GRANT rds_iam TO ${ident(role)}`);
    for (const statement of statements) await admin.query(statement);
    await admin.query(
      `INSERT INTO ${history}.stack_marker (environment, stack) VALUES ($1, $2)
       ON CONFLICT (singleton) DO UPDATE SET environment = EXCLUDED.environment, stack = EXCLUDED.stack, written_at = now()`,
      [o.marker.environment, o.marker.stack],
    );
    await admin.query("COMMIT");
  } catch (err) {
    await admin.query("ROLLBACK").catch(() => undefined);
    throw new Error(`Bootstrap of database ${o.database} failed: ${(err as Error).message}`, { cause: err });
  }
}
