// `backup` and `restore`: pg_dump custom format + a logical Redis dump, each with a .sha256 beside it,
// written atomically; restores verify the checksum and refuse non-empty or unconfirmed targets.
import * as fs from "node:fs";
import * as path from "node:path";
import { migrationStatus, readMigrationDirectory } from "../../migrator";
import {
  backupFileName,
  kindOf,
  prepareBackupDir,
  pruneBackups,
  writeBackupAtomically,
} from "../ops/backup-files";
import { withVerifiedCopy } from "../ops/trusted-files";
import { checkDumpCompatible, clientMajor, pgDump, serverMajor } from "../ops/postgres-backup";
import { restorePostgres } from "../ops/postgres-restore";
import { dumpRedis, restoreRedis } from "../ops/redis-backup";
import { dbsize } from "../ops/redis-connect";
import { Io, printResult } from "../shared/io";
import { Args, Command, EXIT, UsageError } from "../shared/program";
import { sqlDir } from "../shared/root";
import { SCHEMA_ROLES } from "../../stack/credentials/roles";
import { mb, pinnedPgConfig, requiredUrl, urlFlags, withPg, withRedisData } from "./connections";

async function backupPostgres(args: Args, io: Io, file: string): Promise<string> {
  let shown = 0;
  const progress = (bytes: number) => {
    if (Date.now() - shown < 1000) return; // at most once a second
    shown = Date.now();
    io.progress(`\r  pg_dump: ${mb(bytes)} written`);
  };
  const docker = args.value("--docker");
  const databaseUrl = requiredUrl(args, "database", "the read-only role's URL");
  if (!docker)
    checkDumpCompatible(clientMajor("pg_dump"), await withPg(pinnedPgConfig(databaseUrl), serverMajor));
  const { sha256 } = await writeBackupAtomically(file, (temporary) =>
    docker
      ? pgDump(
          { docker, user: "postgres", database: new URL(databaseUrl).pathname.slice(1) },
          temporary,
          progress,
        )
      : pgDump({ url: databaseUrl }, temporary, progress),
  );
  io.progress("\n");
  return sha256;
}

async function backupRedis(args: Args, io: Io, file: string) {
  const url = requiredUrl(args, "redisAdmin", "the Redis admin user's URL (DUMP needs it)");
  const { result: keys, sha256 } = await withRedisData(url, "the backup connection", (client) =>
    writeBackupAtomically(file, (temporary) =>
      dumpRedis(client, temporary, (n) => io.progress(`\r  redis: ${n} keys`)),
    ),
  );
  io.progress("\n");
  return { keys, sha256 };
}

export const backup: Command = {
  name: "backup",
  summary: "pg_dump (custom format) + logical Redis dump into backups/, each with a .sha256",
  flags: [
    ...urlFlags("database"),
    ...urlFlags("redisAdmin"),
    { name: "--dir", value: "DIR", help: "where to write (default: backups)" },
    { name: "--keep-days", value: "N", help: "delete backups older than N days afterwards" },
    { name: "--docker", value: "CONTAINER", help: "run pg_dump inside the dev container (no local client)" },
    { name: "--postgres-only", help: "skip Redis" },
    { name: "--redis-only", help: "skip PostgreSQL" },
  ],
  json: true,
  async run(args, io) {
    const dir = path.resolve(args.value("--dir") ?? "backups");
    const keepDays = args.has("--keep-days") ? args.integer("--keep-days", 0, 0) : undefined;
    prepareBackupDir(dir);
    const now = new Date();
    const made: Record<string, string> = {};
    if (!args.has("--redis-only")) {
      const file = path.join(dir, backupFileName("postgres", now));
      Object.assign(made, { postgres: file, postgresSha256: await backupPostgres(args, io, file) });
    }
    if (!args.has("--postgres-only")) {
      const file = path.join(dir, backupFileName("redis", now));
      const { keys, sha256 } = await backupRedis(args, io, file);
      Object.assign(made, { redis: file, redisKeys: String(keys), redisSha256: sha256 });
    }
    const pruned = keepDays === undefined ? [] : pruneBackups(dir, keepDays, now);
    const human = [
      ...Object.entries(made).map(([k, v]) => `${k.padEnd(15)} ${v}`),
      ...(pruned.length ? [`pruned ${pruned.join(", ")}`] : []),
    ];
    printResult(io, args.has("--json"), human, { ...made, pruned });
    return EXIT.ok;
  },
};

/** `copy` is the verified private copy of `file` (withVerifiedCopy); messages name `file`. */
async function restorePostgresFile(args: Args, io: Io, file: string, copy: string): Promise<void> {
  const adminUrl = requiredUrl(args, "admin", "the admin URL (restore recreates objects with their owners)");
  const { swept, warnings } = await restorePostgres(adminUrl, copy, {
    force: args.has("--force"),
    database: args.value("--database"),
  });
  for (const line of warnings) io.err(`warning: ${line}`);
  const status = await migrationStatus({
    connection: pinnedPgConfig(adminUrl),
    migrations: readMigrationDirectory(sqlDir()),
    // The admin reads the owner's table: only once the catalog shows it is the owner's plain table.
    historyOwner: SCHEMA_ROLES.owner.name,
  });
  const human = [
    `restored ${file}`,
    ...swept.map((login) => `dropped ${login} (a crashed restore's temporary login)`),
    ...status.map((s) => `  ${s.state.padEnd(8)} ${s.name}`),
  ];
  printResult(io, args.has("--json"), human, { restored: file, sweptLogins: swept, migrations: status });
}

async function restoreRedisFile(args: Args, io: Io, file: string, copy: string): Promise<void> {
  const url = requiredUrl(args, "redisAdmin", "the Redis admin user's URL (RESTORE needs it)");
  const force = args.has("--force");
  const keys = await withRedisData(url, "the restore connection", async (client) => {
    const size = await dbsize(client);
    if (size > 0 && !force)
      throw new Error(
        `Refusing to restore into a non-empty Redis (${size} keys); pass --force to overwrite keys.`,
      );
    return restoreRedis(client, copy, { replace: force, shownAs: file });
  });
  printResult(io, args.has("--json"), [`restored ${keys} keys from ${file}`], { restored: file, keys });
}

export const restore: Command = {
  name: "restore",
  summary: "verify the checksum, refuse a non-empty or unconfirmed target, restore, show schema status",
  args: ["FILE"],
  flags: [
    ...urlFlags("admin"),
    ...urlFlags("redisAdmin"),
    { name: "--force", help: "restore into a non-empty target (replaces objects / overwrites keys)" },
    {
      name: "--database",
      value: "NAME",
      help: "confirm the target database (required unless it is marked dev)",
    },
  ],
  json: true,
  async run(args, io) {
    const file = args.positionals[0];
    if (!fs.existsSync(file)) throw new UsageError(`restore needs an existing backup file, got ${file}`);
    const kind = kindOf(file);
    // Everything below reads the private copy whose bytes matched the checksum, never `file` again.
    await withVerifiedCopy(file, (copy) =>
      kind === "postgres"
        ? restorePostgresFile(args, io, file, copy)
        : restoreRedisFile(args, io, file, copy),
    );
    return EXIT.ok;
  },
};
