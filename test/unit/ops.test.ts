import { strict as assert } from "node:assert";
import { backupFileName, kindOf, timestamp } from "../../cli/ops/backup-files";
import { parseInfo } from "../../cli/ops/health";
import {
  checkDumpCompatible,
  clientInvocation,
  connectionParts,
  dockerDumpCommand,
} from "../../cli/ops/postgres-backup";
import { exitCodeOf, worst } from "../../cli/ops/status";

describe("ops helpers (pure)", () => {
  it("names backups with a UTC timestamp and recognises only its own names", () => {
    const at = new Date("2026-11-26T09:05:03Z");
    assert.equal(timestamp(at), "20261126_090503");
    assert.equal(backupFileName("postgres", at), "postgres_backup_20261126_090503.dump");
    assert.equal(backupFileName("redis", at), "redis_backup_20261126_090503.jsonl");
    assert.equal(kindOf("/x/redis_backup_20261126_090503.jsonl"), "redis");
    assert.throws(() => kindOf("dump.rdb"), /not a backup made by `npm run db -- backup`/);
  });

  it("passes the password to pg_dump in PGPASSWORD, never on the command line", () => {
    const parts = connectionParts(
      "postgresql://offthegrid_readonly:s3cr3t-Pw@db.internal:6543/offthegrid?sslmode=verify-full",
    );
    assert.deepEqual(parts, {
      host: "db.internal",
      port: 6543,
      user: "offthegrid_readonly",
      password: "s3cr3t-Pw",
      database: "offthegrid",
    });
    const { args, env } = clientInvocation(parts, "verify-full");
    assert.ok(!args.join(" ").includes("s3cr3t-Pw"));
    assert.equal(env.PGPASSWORD, "s3cr3t-Pw");
    assert.equal(env.PGSSLMODE, "verify-full");
  });

  it("runs the dev container's own pg_dump through docker exec, over its trusted local socket", () => {
    assert.deepEqual(dockerDumpCommand("offthegrid-dev-postgres", "postgres", "offthegrid"), [
      "docker",
      "exec",
      "offthegrid-dev-postgres",
      "pg_dump",
      "--format=custom",
      "--username",
      "postgres",
      "--dbname",
      "offthegrid",
    ]);
  });

  it("refuses an older pg_dump than the server, naming what to install", () => {
    assert.doesNotThrow(() => checkDumpCompatible(17, 17));
    assert.doesNotThrow(() => checkDumpCompatible(17, 15));
    assert.throws(
      () => checkDumpCompatible(15, 17),
      /pg_dump 15 cannot dump a PostgreSQL 17 server.*postgresql-client-17/,
    );
  });

  it("maps statuses to exit codes and parses INFO", () => {
    assert.deepEqual(
      [
        exitCodeOf(worst(["healthy"])),
        exitCodeOf(worst(["healthy", "degraded"])),
        exitCodeOf(worst(["degraded", "down"])),
      ],
      [0, 3, 1],
      "the shared convention: 0 healthy, 3 degraded, 1 down",
    );
    assert.deepEqual(parseInfo("# Server\r\nredis_version:7.0.15\r\nrole:master\r\n"), {
      redis_version: "7.0.15",
      role: "master",
    });
  });
});
