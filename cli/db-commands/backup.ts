// `backup` and `restore`: pg_dump custom format + a logical Redis dump, each with a .sha256 beside it.
import * as fs from "node:fs";
import * as path from "node:path";
import { migrationStatus, readMigrationDirectory } from "../../migrator";
import { backupFileName, kindOf, pruneBackups, verifyChecksum, writeChecksum } from "../ops/backup-files";
import { checkDumpCompatible, clientMajor, pgDump, pgRestore, serverMajor } from "../ops/postgres-backup";
import { dumpRedis, restoreRedis } from "../ops/redis-backup";
import { Io, printResult } from "../shared/io";
import { Args, Command, EXIT, UsageError } from "../shared/program";
import { sqlDir } from "../shared/root";
import { FLAGS, mb, pgConfig, withPg, withRedis } from "./connections";

async function backupPostgres(args: Args, io: Io, file: string): Promise<void> {
  let shown = 0;
  const progress = (bytes: number) => {
    if (Date.now() - shown < 1000) return; // at most once a second
    shown = Date.now();
    io.progress(`\r  pg_dump: ${mb(bytes)} written`);
  };
  const docker = args.value("--docker");
  if (docker) {
    const databaseUrl = new URL(args.required("--database-url", "to name the user and database"));
    await pgDump({ docker, user: "postgres", database: databaseUrl.pathname.slice(1) }, file, progress);
  } else {
    const databaseUrl = args.required("--database-url", "the read-only role's URL");
    checkDumpCompatible(clientMajor("pg_dump"), await withPg(pgConfig(databaseUrl), serverMajor));
    const sslmode = new URL(databaseUrl).searchParams.get("sslmode") ?? undefined;
    await pgDump({ url: databaseUrl, sslmode }, file, progress);
  }
  io.progress("\n");
}

export const backup: Command = {
  name: "backup",
  summary: "pg_dump (custom format) + logical Redis dump into backups/, each with a .sha256",
  flags: [
    FLAGS.databaseUrl,
    FLAGS.redisAdminUrl,
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
    fs.mkdirSync(dir, { recursive: true });
    const now = new Date();
    const made: Record<string, string> = {};
    if (!args.has("--redis-only")) {
      const file = path.join(dir, backupFileName("postgres", now));
      await backupPostgres(args, io, file);
      made.postgres = file;
      made.postgresSha256 = await writeChecksum(file);
    }
    if (!args.has("--postgres-only")) {
      const url = args.required("--redis-admin-url", "the Redis admin user's URL (DUMP needs it)");
      const file = path.join(dir, backupFileName("redis", now));
      const keys = await withRedis(url, (r) =>
        dumpRedis(r, file, (n) => io.progress(`\r  redis: ${n} keys`)),
      );
      io.progress("\n");
      Object.assign(made, { redis: file, redisKeys: String(keys), redisSha256: await writeChecksum(file) });
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

async function restorePostgres(args: Args, io: Io, file: string): Promise<void> {
  const adminUrl = args.required(
    "--admin-url",
    "the admin URL (restore recreates objects with their owners)",
  );
  const tables = await withPg(pgConfig(adminUrl), async (c) =>
    Number((await c.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n),
  );
  if (tables > 0 && !args.has("--force"))
    throw new Error(
      `Refusing to restore into a non-empty database (${tables} tables in public); pass --force to replace them.`,
    );
  await pgRestore(adminUrl, file, { clean: tables > 0 });
  const status = await migrationStatus({
    connection: pgConfig(adminUrl),
    migrations: readMigrationDirectory(sqlDir()),
  });
  printResult(
    io,
    args.has("--json"),
    [`restored ${file}`, ...status.map((s) => `  ${s.state.padEnd(8)} ${s.name}`)],
    {
      restored: file,
      migrations: status,
    },
  );
}

async function restoreRedisFile(args: Args, io: Io, file: string): Promise<void> {
  const url = args.required("--redis-admin-url", "the Redis admin user's URL (RESTORE needs it)");
  const force = args.has("--force");
  const keys = await withRedis(url, async (client) => {
    const size = await client.dbsize();
    if (size > 0 && !force)
      throw new Error(
        `Refusing to restore into a non-empty Redis (${size} keys); pass --force to overwrite keys.`,
      );
    return restoreRedis(client, file, { replace: force });
  });
  printResult(io, args.has("--json"), [`restored ${keys} keys from ${file}`], { restored: file, keys });
}

export const restore: Command = {
  name: "restore",
  summary: "verify the checksum, refuse a non-empty target unless --force, restore, show schema status",
  args: ["FILE"],
  flags: [
    FLAGS.adminUrl,
    FLAGS.redisAdminUrl,
    { name: "--force", help: "restore into a non-empty target (replaces objects / overwrites keys)" },
  ],
  json: true,
  async run(args, io) {
    const file = args.positionals[0];
    if (!fs.existsSync(file)) throw new UsageError(`restore needs an existing backup file, got ${file}`);
    const kind = kindOf(file);
    await verifyChecksum(file);
    await (kind === "postgres" ? restorePostgres(args, io, file) : restoreRedisFile(args, io, file));
    return EXIT.ok;
  },
};
