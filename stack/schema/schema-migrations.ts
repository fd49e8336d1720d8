// The SchemaMigrations resource: applies sql/ to a database once it accepts connections, through the dynamic
// provider in ./provider. Updates (new migrations, rotated passwords) are in-place; it is never replaced and
// never drops anything.
import * as pulumi from "@pulumi/pulumi";
import type { IamLogin } from "../../migrator";
import type { Migration } from "../../migrator/migration-file";
import type { ConnectionInputs, SchemaInputs } from "./provider";
import { PrebuiltResource } from "../dynamic/prebuilt-resource";
import { RUNNER_DEFAULTS } from "../../migrator";

interface LoginArgs {
  readonly name: string;
  readonly password: pulumi.Input<string>;
}

export interface RoleArgs {
  readonly group: string;
  readonly epoch: number;
  readonly current: LoginArgs;
  readonly previous: LoginArgs;
}

export interface SchemaMigrationsArgs {
  readonly connection: pulumi.Input<ConnectionInputs>;
  /**
   * Admin login for the bootstrap. `managePassword` is true where the provider owns the admin password (dev).
   */
  readonly admin: {
    readonly user: string;
    readonly password: pulumi.Input<string>;
    readonly managePassword: boolean;
  };
  /** Per logical role: the group, the rotation epoch, and the current and previous members' logins. */
  readonly roles: Readonly<Record<"owner" | "app" | "readonly", RoleArgs>>;
  /** The migration files, read and checked against the sum file (stack-schema.ts readSchemaSources). */
  readonly migrations: SchemaSources;
  readonly marker: { readonly environment: string; readonly stack: string };
  /** IAM database authentication logins (RDS only; stack/credentials/roles.ts IAM_LOGINS). */
  readonly iamLogins?: readonly IamLogin[];
  /**
   * Defaults: wait 5 min for the database, 2 min for another migrator's lock, engine defaults for timeouts.
   */
  readonly settings?: Partial<SchemaInputs["settings"]>;
}

/**
 * sql/ as the program read it. Only each file's name and checksum become inputs: the provider reads the SQL
 * from `directory` itself (stack/schema/migration-sources.ts), so no property, diff or message carries it.
 */
export interface SchemaSources {
  /**
   * Relative to the project root (the working directory of the program and of the provider host), or
   * absolute.
   */
  readonly directory: string;
  readonly files: readonly Migration[];
}

export class SchemaMigrations extends PrebuiltResource {
  /** Applied migrations, file name → checksum (sha256 of header and up section, as in sql/migrations.sum). */
  declare readonly migrations: pulumi.Output<Record<string, string>>;
  /**
   * What the last bootstrap could not do (e.g. REVOKEs an RDS master may not make); undefined in older state.
   */
  declare readonly warnings: pulumi.Output<string[] | undefined>;

  constructor(name: string, args: SchemaMigrationsArgs, opts?: pulumi.CustomResourceOptions) {
    const inputs = {
      connection: args.connection,
      admin: pulumi.secret(args.admin),
      roles: pulumi.secret(args.roles),
      roleEpochs: Object.fromEntries(
        Object.entries(args.roles).map(([key, r]) => [key, { group: r.group, epoch: r.epoch }]),
      ),
      migrations: Object.fromEntries(args.migrations.files.map((m) => [m.name, m.checksum])),
      directory: args.migrations.directory,
      marker: args.marker,
      iamLogins: args.iamLogins ?? [],
      settings: {
        connectDeadlineMs: 5 * 60_000,
        lockDeadlineMs: 2 * 60_000,
        lockTimeoutMs: RUNNER_DEFAULTS.lockTimeoutMs,
        statementTimeoutMs: RUNNER_DEFAULTS.statementTimeoutMs,
        ...args.settings,
      },
      // Unknown in a preview: the output shows as "computed" there, never as a removed key
      // (bootstrap-warnings.ts).
      warnings: pulumi.runtime.isDryRun() ? pulumi.unknown : [],
    };
    super(
      "schemaMigrations",
      name,
      inputs,
      { ...opts, additionalSecretOutputs: ["admin", "roles"] },
      "offthegrid",
      "SchemaMigrations",
    );
    logBootstrapWarnings(this);
  }
}

/**
 * Each warning as a diagnostic on the resource, in `pulumi up` only: during a preview the output holds the
 * last run's warnings (nothing changes) or is unknown (the bootstrap will run), and neither is news. An up in
 * which the resource does not change repeats the last bootstrap's warnings: what they name stays open until
 * fixed.
 */
export function logBootstrapWarnings(resource: SchemaMigrations): void {
  if (pulumi.runtime.isDryRun()) return;
  resource.warnings.apply((warnings) => {
    for (const warning of warnings ?? [])
      void pulumi.log.warn(
        `Database bootstrap (last run): ${warning.replace(/\.?$/, ".")} See docs/security.md, "With a non-superuser admin".`,
        resource,
      );
  });
}
