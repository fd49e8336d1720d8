// `maintenance` and `reset`: the two commands that change data on purpose.
import { readMigrationDirectory } from "../../migrator";
import { cleanupSessions } from "../ops/maintenance";
import { resetDatabase } from "../ops/reset";
import { printResult } from "../shared/io";
import { Command, EXIT } from "../shared/program";
import { sqlDir } from "../shared/root";
import { pgConfig, requiredUrl, urlFlags, withPg } from "./connections";

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

export const reset: Command = {
  name: "reset",
  summary: "dev only: roll the schema back and re-apply it (refuses databases not marked dev)",
  flags: [...urlFlags("database"), { name: "--yes", help: "confirm: every table and all data are dropped" }],
  json: true,
  async run(args, io) {
    // The schema owner, as for `migrate`: the admin never runs migration SQL (issue #20 item 2).
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
