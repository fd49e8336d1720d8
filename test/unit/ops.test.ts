import { strict as assert } from "node:assert";
import { backupFileName, kindOf, timestamp } from "../../cli/ops/backup-files";
import { parseInfo } from "../../cli/ops/health";
import { libpqEnvironment } from "../../cli/ops/pg-env";
import { checkDumpCompatible, dockerDumpCommand, withoutMarkerEntries } from "../../cli/ops/postgres-backup";
import { createLoginSql, dropLoginSql, loginUrl, restoreLogin } from "../../cli/ops/postgres-restore";
import { exitCodeOf, worst } from "../../cli/ops/status";

describe("ops helpers (pure)", () => {
  it("creates restore's temporary owner login without its password in the statement text", () => {
    // pg_stat_activity shows statement text to the read-only role (pg_monitor): the password travels as a
    // verifier bind parameter instead (setVerifiers), so CREATE ROLE must not carry it.
    const login = restoreLogin();
    const sql = createLoginSql(login);
    assert.match(sql, /^CREATE ROLE offthegrid_restore_[0-9a-f]{12} LOGIN NOSUPERUSER /);
    assert.match(sql, / IN ROLE offthegrid_owner$/);
    assert.ok(!sql.includes(login.password), "the password is in CREATE ROLE's text");
    assert.doesNotMatch(sql, /PASSWORD/i);
    assert.match(
      dropLoginSql(login.name),
      /^GRANT (offthegrid_restore_\w+) TO CURRENT_USER; REASSIGN OWNED BY \1 TO offthegrid_owner; /,
    );
    const url = new URL(loginUrl("postgresql://admin:pw@db:5432/offthegrid?sslmode=require", login));
    assert.equal(url.username, login.name);
    assert.equal(url.searchParams.get("sslmode"), "require");
  });

  it("names backups with a UTC timestamp and recognises only its own names", () => {
    const at = new Date("2026-11-26T09:05:03Z");
    assert.equal(timestamp(at), "20261126_090503");
    assert.equal(backupFileName("postgres", at), "postgres_backup_20261126_090503.dump");
    assert.equal(backupFileName("redis", at), "redis_backup_20261126_090503.jsonl");
    assert.equal(kindOf("/x/redis_backup_20261126_090503.jsonl"), "redis");
    assert.throws(() => kindOf("dump.rdb"), /not a backup made by `npm run db -- backup`/);
  });

  it("hands pg_dump/pg_restore every URL setting in their environment, the password never on argv", () => {
    const env = libpqEnvironment(
      "postgresql://offthegrid_readonly:s3cr%40t-Pw@db.internal:6543/offthegrid?sslmode=verify-full&sslrootcert=/certs/rds.pem&connect_timeout=5",
      { PATH: "/bin", PGSSLMODE: "disable", PGHOST: "elsewhere" },
    );
    assert.deepEqual(env, {
      PATH: "/bin",
      PGHOST: "db.internal",
      PGPORT: "6543",
      PGUSER: "offthegrid_readonly",
      PGPASSWORD: "s3cr@t-Pw",
      PGDATABASE: "offthegrid",
      PGREQUIREAUTH: "scram-sha-256",
      PGSSLMODE: "verify-full",
      PGSSLROOTCERT: "/certs/rds.pem",
      PGCONNECT_TIMEOUT: "5",
    });
    assert.throws(
      () => libpqEnvironment("postgresql://u:p@h/db?ssl=true"),
      /Unsupported parameter "ssl" in the PostgreSQL URL: .* Allowed parameters are: sslmode, sslrootcert/,
    );
  });

  it("drops the stack marker's entries from a restore list, old location and new", () => {
    const list = [
      ";",
      "7; 2615 16419 SCHEMA - migrations offthegrid_owner",
      "8; 2615 16423 SCHEMA - stack postgres",
      "3570; 0 0 ACL - SCHEMA stack postgres",
      "233; 1259 16744 TABLE migrations stack_marker postgres",
      "3584; 0 0 ACL migrations TABLE stack_marker postgres",
      "219; 1259 16424 TABLE stack marker postgres",
      "3598; 0 0 ACL stack TABLE marker postgres",
      "3560; 0 16744 TABLE DATA migrations stack_marker postgres",
      "3548; 0 16424 TABLE DATA stack marker postgres",
      "3380; 2606 16750 CONSTRAINT migrations stack_marker stack_marker_pkey postgres",
      "3335; 2606 16433 CONSTRAINT stack marker marker_pkey postgres",
      "230; 1259 16700 TABLE migrations history offthegrid_owner",
      "231; 1259 16701 TABLE public stack_items offthegrid_owner",
    ].join("\n");
    assert.deepEqual(withoutMarkerEntries(list).split("\n"), [
      ";",
      "7; 2615 16419 SCHEMA - migrations offthegrid_owner",
      "230; 1259 16700 TABLE migrations history offthegrid_owner",
      "231; 1259 16701 TABLE public stack_items offthegrid_owner",
    ]);
  });

  it("runs the dev container's own pg_dump through docker exec, over its trusted local socket", () => {
    assert.deepEqual(dockerDumpCommand("offthegrid-dev-postgres", "postgres", "offthegrid"), [
      "docker",
      "exec",
      "offthegrid-dev-postgres",
      "pg_dump",
      "--format=custom",
      "--exclude-schema=stack",
      "--exclude-schema=monitoring",
      "--exclude-table=migrations.stack_marker",
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
