// npm run db -- <health|metrics|backup|restore FILE|maintenance|reset> [--json] [options]
// Least privilege: health/metrics/backup read with DATABASE_URL (the read-only role), maintenance deletes with
// DATABASE_URL set to the app role, restore/reset need ADMIN_DATABASE_URL. Redis: REDIS_URL (app user) for
// health/metrics, REDIS_ADMIN_URL for backup/restore (DUMP/RESTORE).
// Exit codes: 0 healthy / done, 1 degraded, 2 down or failed, 3 usage error.
import * as fs from "node:fs";
import * as path from "node:path";
import Redis from "ioredis";
import { Client, ClientConfig } from "pg";
import {
  backupFileName,
  kindOf,
  prepareBackupDir,
  pruneBackups,
  verifyChecksum,
  writeBackupAtomically,
} from "./ops/backup-files";
import { postgresHealth, redisHealth } from "./ops/health";
import { cleanupSessions } from "./ops/maintenance";
import { postgresMetrics, redisMetrics } from "./ops/metrics";
import { checkDumpCompatible, clientMajor, pgDump, serverMajor } from "./ops/postgres-backup";
import { restorePostgres } from "./ops/postgres-restore";
import { dumpRedis, restoreRedis } from "./ops/redis-backup";
import { connectForData, connectRedis, dbsize } from "./ops/redis-connect";
import { connectionUrl, optionalConnectionUrl } from "./ops/urls";
import { UsageError } from "./ops/usage";
import { resetDatabase } from "./ops/reset";
import { EXIT, Status, exitCodeOf, worst } from "./ops/status";
import { migrationStatus, readMigrationDirectory } from "../migrator";

const ROOT = path.resolve(__dirname, "..");
const USAGE = `Usage: npm run db -- <command> [options]

  health                 PostgreSQL reachable and writable (or replica + lag), schema up to date; Redis AUTH + role
  metrics                connections, cache hit ratio, slowest statements, sizes, dead tuples; Redis memory, hits, keys
  backup                 pg_dump (custom format) + logical Redis dump into backups/, each with a .sha256
  restore FILE           verify the checksum, refuse a non-empty target unless --force, restore, show schema status
  maintenance            delete expired sessions in batches (cleanup_expired_sessions)
  reset --yes            dev only: roll the schema back and re-apply it (refuses databases not marked dev)

Connection URLs come from DATABASE_URL, ADMIN_DATABASE_URL, REDIS_URL, REDIS_ADMIN_URL, or from a file:
  --database-url-file F  --admin-url-file F  --redis-url-file F  --redis-admin-url-file F  (never a URL on argv)
Options: --json
  backup: --dir DIR (backups)  --keep-days N (prune older)  --docker CONTAINER (use the dev container's pg_dump)
          --postgres-only  --redis-only
  restore: --force (replace a non-empty target)  --database NAME (required unless the target is marked dev)
  maintenance: --retention INTERVAL ('7 days')  --batch N (10000)
Exit codes: 0 healthy/done, 1 degraded, 2 down/failed, 3 usage error.`;

interface Options {
  readonly command: string;
  readonly args: string[];
  readonly flags: Map<string, string | true>;
}

function parse(argv: string[]): Options {
  const flags = new Map<string, string | true>();
  const args: string[] = [];
  const valued = new Set([
    "--database-url",
    "--admin-url",
    "--redis-url",
    "--redis-admin-url",
    "--database-url-file",
    "--admin-url-file",
    "--redis-url-file",
    "--redis-admin-url-file",
    "--database",
    "--dir",
    "--keep-days",
    "--docker",
    "--retention",
    "--batch",
  ]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (valued.has(a)) {
      if (argv[i + 1] === undefined) throw new UsageError(`${a} needs a value`);
      flags.set(a, argv[++i]);
    } else if (a.startsWith("--")) flags.set(a, true);
    else args.push(a);
  }
  return { command: args[0] ?? "", args: args.slice(1), flags };
}

const url = (o: Options, flag: string, env: string, purpose: string): string =>
  connectionUrl(o.flags, { flag, env, purpose });

const pg = (connectionString: string): ClientConfig => ({
  connectionString,
  application_name: "offthegrid-ops",
});
const redisClient = (u: string) =>
  new Redis(u, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 5_000,
  });

async function withPg<T>(config: ClientConfig, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client(config);
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function print(o: Options, human: string[], json: unknown): void {
  console.log(o.flags.has("--json") ? JSON.stringify(json, null, 2) : human.join("\n"));
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const pct = (ratio: number | null | undefined) =>
  ratio === null || ratio === undefined ? "n/a" : `${(ratio * 100).toFixed(1)} %`;

export async function main(argv: string[]): Promise<number> {
  const o = parse(argv);
  const migrations = () => readMigrationDirectory(path.join(ROOT, "sql"));
  switch (o.command) {
    case "health": {
      const pgHealth = await postgresHealth(
        pg(url(o, "--database-url", "DATABASE_URL", "the read-only role's URL")),
        migrations(),
      );
      const redisUrl = optionalConnectionUrl(o.flags, { flag: "--redis-url", env: "REDIS_URL", purpose: "" });
      const rHealth = redisUrl ? await redisHealth(redisClient(redisUrl)) : undefined;
      const status: Status = worst([pgHealth.status, ...(rHealth ? [rHealth.status] : [])]);
      print(
        o,
        [
          `postgres  ${pgHealth.status.padEnd(9)} ${pgHealth.error ?? `${pgHealth.role}${pgHealth.role === "primary" ? `, accepts writes: ${pgHealth.acceptsWrites}` : `, replay lag ${pgHealth.replayLagSeconds ?? "unknown"} s`}, PostgreSQL ${pgHealth.serverVersion}, pending migrations: ${pgHealth.pendingMigrations?.length ? pgHealth.pendingMigrations.join(", ") : "none"}`}`,
          rHealth
            ? `redis     ${rHealth.status.padEnd(9)} ${rHealth.error ?? `${rHealth.role}, Redis ${rHealth.version}, replicas ${rHealth.connectedReplicas}${rHealth.masterLinkStatus ? `, link ${rHealth.masterLinkStatus}` : ""}`}`
            : "redis     skipped   (REDIS_URL not set)",
          `overall   ${status}`,
        ],
        { status, postgres: pgHealth, redis: rHealth ?? null },
      );
      return exitCodeOf(status);
    }
    case "metrics": {
      const p = await withPg(
        pg(url(o, "--database-url", "DATABASE_URL", "the read-only role's URL (pg_monitor)")),
        postgresMetrics,
      );
      // Key counts need SCAN, which only the admin user holds: use its URL when given.
      const redisUrl =
        optionalConnectionUrl(o.flags, { flag: "--redis-admin-url", env: "REDIS_ADMIN_URL", purpose: "" }) ??
        optionalConnectionUrl(o.flags, { flag: "--redis-url", env: "REDIS_URL", purpose: "" });
      let r: Awaited<ReturnType<typeof redisMetrics>> | undefined;
      if (redisUrl) {
        const client = await connectRedis(redisUrl, "the metrics connection");
        try {
          r = await redisMetrics(client);
        } finally {
          client.disconnect();
        }
      }
      print(
        o,
        [
          `postgres connections      ${p.connections.used} / ${p.connections.max} (${pct(p.connections.ratio)})`,
          `postgres cache hit ratio  ${pct(p.cacheHitRatio)}`,
          `postgres database size    ${mb(p.databaseBytes)}`,
          `postgres dead tuples      ${pct(p.deadTupleRatio)}`,
          `largest tables:`,
          ...p.largestTables.map(
            (t) =>
              `  ${t.table.padEnd(30)} ${mb(t.bytes).padStart(10)}  ${t.live_rows} live, ${t.dead_rows} dead`,
          ),
          `slowest statements (mean):`,
          ...(p.slowestStatements.length
            ? p.slowestStatements.map((s) => `  ${String(s.mean_ms).padStart(9)} ms × ${s.calls}  ${s.query}`)
            : [`  ${p.slowestStatementsError ?? "none recorded"}`]),
          ...(r
            ? [
                `redis memory              ${mb(r.usedMemoryBytes)} / ${mb(r.maxmemoryBytes)} (${pct(r.memoryRatio)})`,
                `redis evicted keys        ${r.evictedKeys}`,
                `redis keyspace hit ratio  ${pct(r.keyspaceHitRatio)}`,
                `redis connected clients   ${r.connectedClients}`,
                `redis keys by pattern:`,
                ...(r.keysByPattern
                  ? Object.entries(r.keysByPattern).map(([k, n]) => `  ${k.padEnd(20)} ${n}`)
                  : [`  ${r.keysByPatternError}`]),
              ]
            : ["redis                     skipped (REDIS_URL not set)"]),
        ],
        { postgres: p, redis: r ?? null },
      );
      return EXIT.ok;
    }
    case "backup": {
      const dir = path.resolve((o.flags.get("--dir") as string | undefined) ?? "backups");
      prepareBackupDir(dir);
      const now = new Date();
      const made: Record<string, string> = {};
      if (!o.flags.has("--redis-only")) {
        const file = path.join(dir, backupFileName("postgres", now));
        const docker = o.flags.get("--docker") as string | undefined;
        let shown = 0;
        const progress = (bytes: number) => {
          if (Date.now() - shown < 1000) return; // at most once a second
          shown = Date.now();
          process.stderr.write(`\r  pg_dump: ${mb(bytes)} written`);
        };
        const databaseUrl = url(o, "--database-url", "DATABASE_URL", "the read-only role's URL");
        if (!docker) checkDumpCompatible(clientMajor("pg_dump"), await withPg(pg(databaseUrl), serverMajor));
        const { sha256 } = await writeBackupAtomically(file, (temporary) =>
          docker
            ? pgDump(
                { docker, user: "postgres", database: new URL(databaseUrl).pathname.slice(1) },
                temporary,
                progress,
              )
            : pgDump({ url: databaseUrl }, temporary, progress),
        );
        process.stderr.write("\n");
        made.postgres = file;
        made.postgresSha256 = sha256;
      }
      if (!o.flags.has("--postgres-only")) {
        const client = await connectForData(
          url(o, "--redis-admin-url", "REDIS_ADMIN_URL", "the Redis admin user's URL (DUMP needs it)"),
          "the backup connection",
        );
        const file = path.join(dir, backupFileName("redis", now));
        try {
          const { result: keys, sha256 } = await writeBackupAtomically(file, (temporary) =>
            dumpRedis(client, temporary, (n) => process.stderr.write(`\r  redis: ${n} keys`)),
          );
          process.stderr.write("\n");
          made.redis = file;
          made.redisKeys = String(keys);
          made.redisSha256 = sha256;
        } finally {
          client.disconnect();
        }
      }
      const keepDays = o.flags.get("--keep-days");
      const pruned = keepDays ? pruneBackups(dir, Number(keepDays), now) : [];
      print(
        o,
        [
          ...Object.entries(made).map(([k, v]) => `${k.padEnd(15)} ${v}`),
          ...(pruned.length ? [`pruned ${pruned.join(", ")}`] : []),
        ],
        { ...made, pruned },
      );
      return EXIT.ok;
    }
    case "restore": {
      const file = o.args[0];
      if (!file || !fs.existsSync(file))
        throw new UsageError(`restore needs an existing backup file, got ${file ?? "nothing"}`);
      const kind = kindOf(file);
      await verifyChecksum(file);
      const force = o.flags.has("--force");
      if (kind === "postgres") {
        const adminUrl = url(
          o,
          "--admin-url",
          "ADMIN_DATABASE_URL",
          "the admin URL (restore recreates objects with their owners)",
        );
        const database = o.flags.get("--database");
        await restorePostgres(adminUrl, file, {
          force,
          database: typeof database === "string" ? database : undefined,
        });
        const status = await migrationStatus({ connection: pg(adminUrl), migrations: migrations() });
        print(o, [`restored ${file}`, ...status.map((s) => `  ${s.state.padEnd(8)} ${s.name}`)], {
          restored: file,
          migrations: status,
        });
      } else {
        const client = await connectForData(
          url(o, "--redis-admin-url", "REDIS_ADMIN_URL", "the Redis admin user's URL (RESTORE needs it)"),
          "the restore connection",
        );
        try {
          const size = await dbsize(client);
          if (size > 0 && !force)
            throw new Error(
              `Refusing to restore into a non-empty Redis (${size} keys); pass --force to overwrite keys.`,
            );
          const keys = await restoreRedis(client, file, { replace: force });
          print(o, [`restored ${keys} keys from ${file}`], { restored: file, keys });
        } finally {
          client.disconnect();
        }
      }
      return EXIT.ok;
    }
    case "maintenance": {
      const retention = (o.flags.get("--retention") as string | undefined) ?? "7 days";
      const batchSize = Number(o.flags.get("--batch") ?? 10000);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new UsageError("--batch takes a positive whole number");
      const result = await withPg(
        pg(url(o, "--database-url", "DATABASE_URL", "the app role's URL (it deletes sessions)")),
        (c) =>
          cleanupSessions(c, {
            retention,
            batchSize,
            onBatch: (n, total) =>
              o.flags.has("--json") || console.log(`  batch: ${n} deleted (${total} so far)`),
          }),
      );
      print(
        o,
        [
          `deleted ${result.deleted} expired sessions (older than ${retention}) in ${result.batches} batch(es), ${result.ms} ms`,
        ],
        result,
      );
      return EXIT.ok;
    }
    case "reset": {
      const adminUrl = url(o, "--admin-url", "ADMIN_DATABASE_URL", "the dev superuser's URL");
      const result = await withPg(pg(adminUrl), (c) =>
        resetDatabase(c, pg(adminUrl), migrations(), { yes: o.flags.has("--yes") }),
      );
      print(
        o,
        [
          `reset dev stack ${result.stack}: rolled back ${result.rolledBack}, applied ${result.applied} migration(s)`,
        ],
        result,
      );
      return EXIT.ok;
    }
    default:
      throw new UsageError(o.command ? `unknown command "${o.command}"\n\n${USAGE}` : USAGE);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof UsageError ? EXIT.usage : EXIT.failed);
    },
  );
}
