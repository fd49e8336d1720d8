// PostgreSQL dumps with pg_dump (custom format) and restores with pg_restore. pg_dump refuses servers newer
// than itself, so the client's major version is checked first; the dev stack can use the container's own
// pg_dump.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import type { Client } from "pg";
import { MARKER_SCHEMA, MONITORING_SCHEMA } from "../../migrator/bootstrap";
import { spawnGuarded } from "./child-guard";
import { libpqEnvironment } from "./pg-env";

/**
 * The stack marker stays out of every dump (its schema, and the table where earlier versions kept it), so a
 * restore can never carry one environment's marker into another database.
 */
export const DUMP_EXCLUSIONS = [
  `--exclude-schema=${MARKER_SCHEMA}`,
  // pg_stat_statements' schema: the admin's, recreated by the restore from the bootstrap's own statements.
  `--exclude-schema=${MONITORING_SCHEMA}`,
  "--exclude-table=migrations.stack_marker",
];

export function clientMajor(tool: string): number {
  const probe = spawnSync(tool, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${tool} not found: install the PostgreSQL client (Debian: apt-get install postgresql-client-17), or for the dev stack use --docker <container>`,
    );
  }
  const match = /(\d+)(?:\.\d+)?/.exec(probe.stdout);
  return Number(match?.[1]);
}

export async function serverMajor(client: Client): Promise<number> {
  return Math.floor(
    Number((await client.query("SHOW server_version_num")).rows[0].server_version_num) / 10000,
  );
}

export function checkDumpCompatible(client: number, server: number): void {
  if (client < server) {
    throw new Error(
      `pg_dump ${client} cannot dump a PostgreSQL ${server} server (pg_dump refuses newer servers). Install ` +
        `postgresql-client-${server}, or for the dev stack pass --docker <postgres container> to use the container's own pg_dump.`,
    );
  }
}

/** The command that runs pg_dump inside the dev container (local socket, trusted: no password needed). */
export function dockerDumpCommand(container: string, user: string, database: string): string[] {
  return [
    "docker",
    "exec",
    container,
    "pg_dump",
    "--format=custom",
    ...DUMP_EXCLUSIONS,
    "--username",
    user,
    "--dbname",
    database,
  ];
}

function run(
  command: string[],
  env: NodeJS.ProcessEnv,
  outFile: string | undefined,
  onProgress?: (bytes: number) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      child.kill("SIGTERM");
      reject(err);
    };
    const child = spawnGuarded(command, env);
    let stdout = "";
    let stderr = "";
    let bytes = 0;
    child.stderr?.on("data", (d) => (stderr += d));
    // Resolve only once the process has exited and the file is flushed; a write error fails the run at once.
    const written = new Promise<void>((done) => {
      if (!outFile) {
        child.stdout?.on("data", (d) => (stdout += d));
        return done();
      }
      const out = fs.createWriteStream(outFile, { mode: 0o600, flags: "wx" });
      child.stdout?.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        onProgress?.(bytes);
      });
      child.stdout?.pipe(out);
      out.on("finish", () => done());
      out.on("error", (err) => fail(new Error(`Cannot write ${outFile}: ${err.message}`, { cause: err })));
    });
    child.on("error", (err) => fail(err));
    child.on("close", (code) => {
      if (failed) return;
      if (code !== 0) return fail(new Error(`${command[0]} exited with ${code}: ${stderr.trim()}`));
      written.then(() => resolve(stdout), fail);
    });
  });
}

export async function pgDump(
  target: { url: string } | { docker: string; user: string; database: string },
  outFile: string,
  onProgress?: (bytes: number) => void,
): Promise<void> {
  if ("docker" in target) {
    await run(
      dockerDumpCommand(target.docker, target.user, target.database),
      process.env,
      outFile,
      onProgress,
    );
    return;
  }
  const env = libpqEnvironment(target.url);
  await run(["pg_dump", "--format=custom", "--no-password", ...DUMP_EXCLUSIONS], env, outFile, onProgress);
}

/**
 * Entries only the admin may replay: extensions (the stack bootstrap creates them from its own definitions)
 * and the bootstrap's hardening of built-ins (e.g. REVOKE ... lo_creat FROM PUBLIC). A non-superuser load
 * skips them.
 */
const ADMIN_ONLY = [/^EXTENSION - /, /^COMMENT - EXTENSION /, /^[A-Z ]+ pg_catalog /];

/** A restore list without the marker's entries (dumps made before the marker moved still carry it). */
export function withoutMarkerEntries(list: string, adminEntries = true): string {
  // Entries read "<id>; <catalog> <oid> <TYPE> <schema> <name> <owner>", e.g. "TABLE DATA stack marker
  // postgres", "ACL - SCHEMA stack postgres", "ACL migrations TABLE stack_marker postgres".
  const marker = [MARKER_SCHEMA, MONITORING_SCHEMA].flatMap((schema) => [
    new RegExp(`^[A-Z ]+ - (?:SCHEMA )?${schema} `),
    new RegExp(`^[A-Z ]+ ${schema} \\S`),
  ]);
  const legacy = [
    /^[A-Z ]+ migrations (?:TABLE )?stack_marker\b/,
    // The bootstrap's (and the restore's) own: created in `monitoring` from their definitions, never the
    // dump's.
    /^(?:EXTENSION - |COMMENT - EXTENSION )pg_stat_statements /,
  ];
  const dropped = [...marker, ...legacy];
  return list
    .split("\n")
    .filter((line) => {
      const entry = /^\d+; \d+ \d+ (.*)$/.exec(line);
      if (!entry) return true;
      return (
        !dropped.some((m) => m.test(entry[1])) && (adminEntries || !ADMIN_ONLY.some((m) => m.test(entry[1])))
      );
    })
    .join("\n");
}

/**
 * Restores into the target database in one transaction; `clean` drops existing objects first (--force).
 * `listFile` is where the filtered table of contents is written (beside the backup, removed afterwards).
 */
export async function pgRestore(
  url: string,
  file: string,
  options: { clean: boolean; listFile: string; asNonSuperuser?: boolean },
): Promise<void> {
  const env = libpqEnvironment(url);
  const list = await run(["pg_restore", "--list", file], env, undefined);
  fs.writeFileSync(options.listFile, withoutMarkerEntries(list, !options.asNonSuperuser), { mode: 0o600 });
  try {
    const flags = [
      "--no-password",
      "--exit-on-error",
      "--single-transaction",
      `--use-list=${options.listFile}`,
      ...(options.clean ? ["--clean", "--if-exists"] : []),
    ];
    await run(["pg_restore", ...flags, "--dbname", env.PGDATABASE ?? "", file], env, undefined);
  } finally {
    fs.rmSync(options.listFile, { force: true });
  }
}
