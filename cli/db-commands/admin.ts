// `maintenance`, `watchdog` and `reset`: the commands that change data or end sessions on purpose.
import { readMigrationDirectory } from "../../migrator";
import { cleanupSessions } from "../ops/maintenance";
import { WATCHDOG_LIMITS, WatchedRole, describeLimits, withOverrides } from "../ops/session-limits";
import { runWatchdog } from "../ops/watchdog";
import { resetDatabase } from "../ops/reset";
import { printResult } from "../shared/io";
import { Command, EXIT, UsageError } from "../shared/program";
import { sqlDir } from "../shared/root";
import { pgConfig, pinnedPgConfig, requiredUrl, urlFlags, withPg } from "./connections";

export const maintenance: Command = {
  name: "maintenance",
  summary: "delete expired sessions in batches (cleanup_expired_sessions)",
  flags: [
    ...urlFlags("database"),
    {
      name: "--retention",
      value: "INTERVAL",
      help: "keep sessions expired less than this long (default: '7 days')",
    },
    { name: "--batch", value: "N", help: "sessions per batch (default: 10000)" },
  ],
  json: true,
  async run(args, io) {
    const retention = args.value("--retention") ?? "7 days";
    const batchSize = args.integer("--batch", 10000);
    const databaseUrl = requiredUrl(args, "database", "the app role's URL (it deletes sessions)");
    const result = await withPg(pgConfig(databaseUrl), (c) =>
      cleanupSessions(c, {
        retention,
        batchSize,
        onBatch: (n, total) => io.err(`  batch: ${n} deleted (${total} so far)`),
      }),
    );
    const line = `deleted ${result.deleted} expired sessions (older than ${retention}) in ${result.batches} batch(es), ${result.ms} ms`;
    printResult(io, args.has("--json"), [line], result);
    return EXIT.ok;
  },
};

/** `--role`'s value: app, readonly, or (absent) both. */
function watchedRole(raw: string | undefined): WatchedRole | undefined {
  if (raw === undefined || raw === "app" || raw === "readonly") return raw;
  throw new UsageError(`Invalid value for --role: "${raw}". Allowed values are: app, readonly.`);
}

export const watchdog: Command = {
  name: "watchdog",
  summary: "end app and read-only sessions past their limits (which a session can lift for itself)",
  flags: [
    ...urlFlags("admin"),
    {
      name: "--role",
      value: "ROLE",
      help: "watch only app or readonly sessions; the limit flags below need it (they set that role's limits)",
    },
    {
      name: "--statement-seconds",
      value: "N",
      help: `end a statement running longer (default: app ${WATCHDOG_LIMITS.app.statementSeconds}, read-only ${WATCHDOG_LIMITS.readonly.statementSeconds})`,
    },
    {
      name: "--idle-in-transaction-seconds",
      value: "N",
      help: `end a session idle in a transaction longer (default: ${WATCHDOG_LIMITS.app.idleInTransactionSeconds})`,
    },
    {
      name: "--transaction-seconds",
      value: "N",
      help: `end a transaction open longer (default: app ${WATCHDOG_LIMITS.app.transactionSeconds}, read-only ${WATCHDOG_LIMITS.readonly.transactionSeconds})`,
    },
    { name: "--dry-run", help: "list the sessions it would end, end none" },
  ],
  json: true,
  async run(args, io) {
    const seconds = (flag: `--${string}`) => (args.has(flag) ? args.integer(flag, 0) : undefined);
    const role = watchedRole(args.value("--role"));
    const overrides = {
      statementSeconds: seconds("--statement-seconds"),
      idleInTransactionSeconds: seconds("--idle-in-transaction-seconds"),
      transactionSeconds: seconds("--transaction-seconds"),
    };
    // One value for both roles would cut read-only sessions (backups run as pg_dump there) to the app's
    // limit.
    if (role === undefined && Object.values(overrides).some((v) => v !== undefined))
      throw new UsageError(
        "a limit flag sets one role's limits: add --role app or --role readonly (defaults: " +
          `app ${describeLimits(WATCHDOG_LIMITS.app)}; readonly ${describeLimits(WATCHDOG_LIMITS.readonly)})`,
      );
    const limits = withOverrides(WATCHDOG_LIMITS, role, overrides);
    const adminUrl = requiredUrl(args, "admin", "the admin's URL (it may see and end every app session)");
    const dryRun = args.has("--dry-run");
    const result = await withPg(pinnedPgConfig(adminUrl), (c) =>
      runWatchdog(c, limits, { dryRun, roles: role ? [role] : ["app", "readonly"] }),
    );
    const lines = result.overruns.map(
      (o) =>
        `${o.ended ? "ended" : dryRun ? "would end" : "could not end"} pid ${o.pid} (${o.user}): ${o.reason}` +
        (o.error ? `: ${o.error}` : ""),
    );
    const ended = result.overruns.filter((o) => o.ended).length;
    lines.push(`checked ${result.checked} app/read-only session(s), ended ${ended}`);
    printResult(io, args.has("--json"), lines, result);
    return result.overruns.some((o) => o.error) ? EXIT.failed : EXIT.ok;
  },
};

export const reset: Command = {
  name: "reset",
  summary: "dev only: roll the schema back and re-apply it (refuses databases not marked dev)",
  flags: [...urlFlags("database"), { name: "--yes", help: "confirm: every table and all data are dropped" }],
  json: true,
  async run(args, io) {
    // The schema owner, as for `migrate`: the admin never runs migration SQL.
    const ownerUrl = requiredUrl(
      args,
      "database",
      "the schema owner's URL (reset runs the migrations as it)",
    );
    const migrations = readMigrationDirectory(sqlDir());
    const result = await withPg(pgConfig(ownerUrl), (c) =>
      resetDatabase(c, pgConfig(ownerUrl), migrations, { yes: args.has("--yes") }),
    );
    const line = `reset dev stack ${result.stack}: rolled back ${result.rolledBack}, applied ${result.applied} migration(s)`;
    printResult(io, args.has("--json"), [line], result);
    return EXIT.ok;
  },
};
