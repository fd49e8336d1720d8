#!/usr/bin/env node
// offthegrid-db (npm run db): day-2 operations on the stack's PostgreSQL and Redis. Least privilege: health,
// metrics and backup read with DATABASE_URL (the read-only role); maintenance deletes with DATABASE_URL set
// to the app role; reset with DATABASE_URL set to the schema owner (never the admin); restore and watchdog
// need ADMIN_DATABASE_URL. Redis: REDIS_URL (app user) for health and metrics, REDIS_ADMIN_URL for backup and
// restore (DUMP/RESTORE). One handler per command, in cli/db-commands/.
import { maintenance, reset, watchdog } from "./db-commands/admin";
import { backup, restore } from "./db-commands/backup";
import { health, metrics } from "./db-commands/report";
import { Io, processIo } from "./shared/io";
import { Program, runProgram } from "./shared/program";
import { withStack } from "./shared/stack-urls";

// With --stack, each command gets the least-privileged URLs that do its job, and only those.
const READ = { DATABASE_URL: "postgresUrls.readonly", REDIS_URL: "redisUrls.app" };

export const program: Program = {
  name: "offthegrid-db",
  summary:
    "health, metrics, backup/restore, maintenance, session watchdog and dev reset for the stack's PostgreSQL and Redis",
  commands: [
    withStack(health, { ...READ, REDIS_CACHE_URL: "redisUrls.cacheApp" }),
    withStack(metrics, READ),
    withStack(backup, { DATABASE_URL: "postgresUrls.readonly", REDIS_ADMIN_URL: "redisUrls.admin" }),
    withStack(restore, { ADMIN_DATABASE_URL: "postgresUrls.admin", REDIS_ADMIN_URL: "redisUrls.admin" }),
    withStack(maintenance, { DATABASE_URL: "postgresUrls.app" }),
    withStack(watchdog, { ADMIN_DATABASE_URL: "postgresUrls.admin" }),
    withStack(reset, { DATABASE_URL: "postgresUrls.owner" }),
  ],
  notes: [
    "Environment (each has a flag, see a command's --help):",
    "  DATABASE_URL        read-only role (health, metrics, backup), app role (maintenance), owner (reset)",
    "  ADMIN_DATABASE_URL  admin role (restore, watchdog)",
    "  REDIS_URL           Redis app user on the state store (health, metrics; optional)",
    "  REDIS_CACHE_URL     Redis app user on the cache store (health; optional)",
    "  REDIS_ADMIN_URL     Redis admin user (backup, restore)",
    "Or --stack NAME: each command takes the URLs it needs from that stack's outputs (set variables win).",
  ].join("\n"),
};

export const main = (argv: readonly string[], io: Io = processIo) => runProgram(program, argv, io);

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
