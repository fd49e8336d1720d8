// Invariant: no session with admin rights (superuser, RDS master, the restore's temporary login, the
// watchdog, the provider's admin connection, the ops CLI's reports given an admin URL) resolves a name
// through a schema a non-admin role can create in, and objects another role owns cannot make admin work fail.
//
// How: run every admin entry point once against a server that logs every statement (jsonlog), harvest every
// name the admin logins resolved (admin-traps.ts, libpg-query), plant the overloads and shadows that would
// win resolution for each in every schema a non-admin can create in, run every entry point again, and assert:
// nothing planted ran as an admin, no role gained an attribute or membership, every entry point succeeded
// (or, for the commands that run owner code, refused the admin login). New admin SQL is covered without
// editing this file, and a new CLI command that takes a PostgreSQL URL fails the table test until it is
// classified below.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Client, ClientConfig } from "pg";
import { pgClient } from "../../testbed/pg-client";
import { program as dbProgram } from "../../cli/db";
import { program as migrateProgram } from "../../cli/migrate";
import { adminConnection } from "../../migrator/admin-session";
import { plain } from "../../testbed/mocks";
import { SUPERUSER_PASSWORD, TestPostgres, startPostgres } from "../../testbed/postgres";
import { ofType, runStack, stackConfig } from "../../testbed/stack";
import {
  Harvest,
  emptyHarvest,
  harvestStatement,
  plantTraps,
  readJsonLog,
  roleSnapshot,
  statementOf,
} from "./admin-traps";
import { MASTER, MASTER_PASSWORD, createMaster } from "../support/rds-master";
import { migrateCli, opsCli, CliRun } from "./support";

const requireFromString = require("require-from-string");
const TYPE = "pulumi-nodejs:dynamic/offthegrid:SchemaMigrations";

/**
 * Every command of both CLIs, by what it must do when handed an admin login: succeed (it is an admin or
 * read-only command, so its session is pinned), refuse (it runs code the schema owner wrote), or never
 * connect.
 */
const COMMANDS: Record<string, "succeeds" | "refuses-admin" | "no-database"> = {
  "offthegrid-db health": "succeeds",
  "offthegrid-db metrics": "succeeds",
  "offthegrid-db backup": "succeeds",
  "offthegrid-db restore": "succeeds",
  "offthegrid-db watchdog": "succeeds",
  "offthegrid-db maintenance": "refuses-admin",
  "offthegrid-db reset": "refuses-admin",
  "offthegrid-migrate status": "succeeds",
  "offthegrid-migrate plan": "succeeds",
  "offthegrid-migrate up": "refuses-admin",
  "offthegrid-migrate down": "refuses-admin",
  "offthegrid-migrate lint": "no-database",
  "offthegrid-migrate new": "no-database",
  "offthegrid-migrate sum": "no-database",
  "offthegrid-migrate verify": "no-database",
};

const LOG_FLAGS = [
  "logging_collector=on",
  "log_destination=jsonlog",
  "log_directory=log",
  "log_filename=statements",
  "log_rotation_age=0",
  "log_rotation_size=0",
  "log_statement=all",
  "log_min_messages=warning",
];

const OWNER_LOGIN = "offthegrid_owner_a";

interface Scenario {
  readonly major: 15 | 17;
  readonly admin: "superuser" | "rds-master";
  /** Entry points this server can run (pg_dump 15 dumps only PostgreSQL 15 here). */
  readonly backup: boolean;
}

const SCENARIOS: Scenario[] = [
  { major: 17, admin: "superuser", backup: false },
  { major: 17, admin: "rds-master", backup: false },
  { major: 15, admin: "superuser", backup: true },
];

let captured: Record<string, any>;
async function capturedInputs(): Promise<Record<string, any>> {
  if (!captured) {
    const run = await runStack("dev", stackConfig("Pulumi.dev.yaml"));
    captured = plain(ofType(run, TYPE)[0].inputs);
  }
  return captured;
}

describe("adversarial: admin sessions never resolve a name a non-admin role can plant (real PostgreSQL)", function () {
  this.timeout(600_000);

  it("every CLI command is classified by what it does with an admin login (the table below is complete)", () => {
    const all = [
      ...dbProgram.commands.map((c) => `offthegrid-db ${c.name}`),
      ...migrateProgram.commands.map((c) => `offthegrid-migrate ${c.name}`),
    ].sort();
    assert.deepEqual(all, Object.keys(COMMANDS).sort());
  });

  for (const scenario of SCENARIOS) scenarioSuite(scenario);
});

function scenarioSuite(scenario: Scenario): void {
  describe(`PostgreSQL ${scenario.major}, admin = ${scenario.admin}`, function () {
    let pg: TestPostgres;
    let dataDir: string;
    let database: string;
    let provider: any;
    let inputs: any;
    let outs: any;
    let adminConfig: ClientConfig;
    let harvest: Harvest;
    let rolesBefore: string[];
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-admin-path-"));
    const results = new Map<string, CliRun | Error | "ok">();

    const url = (c: ClientConfig) =>
      `postgresql://${encodeURIComponent(String(c.user))}:${encodeURIComponent(String(c.password))}@127.0.0.1:${pg.port}/${database}`;
    /** The test's own admin queries: pinned too, or the test itself would walk into the traps. */
    const adminQuery = async <T>(work: (c: Client) => Promise<T>): Promise<T> => {
      const c = pgClient(adminConnection(adminConfig));
      await c.connect();
      try {
        return await work(c);
      } finally {
        await c.end();
      }
    };

    /** Every admin entry point once, in the order a user meets them; outcomes are recorded, not thrown. */
    async function runEntryPoints(phase: string): Promise<Map<string, CliRun | Error | "ok">> {
      const out = new Map<string, CliRun | Error | "ok">();
      const attempt = async (name: string, work: () => Promise<CliRun | "ok">) => {
        try {
          out.set(name, await work());
        } catch (err) {
          out.set(name, err as Error);
        }
      };
      const admin = url(adminConfig);
      const env = { DATABASE_URL: admin, ADMIN_DATABASE_URL: admin, REDIS_URL: undefined };
      await attempt("provider create (existing database)", async () => {
        ({ outs } = await provider.create(inputs));
        return "ok";
      });
      // Any update runs the bootstrap again (here a changed setting; a new migration does the same).
      await attempt("provider update", async () => {
        const next = {
          ...inputs,
          settings: { ...inputs.settings, lockTimeoutMs: inputs.settings.lockTimeoutMs + 1 },
        };
        ({ outs } = await provider.update("id", outs, next));
        inputs = next;
        return "ok";
      });
      await attempt("offthegrid-db health", () => opsCli(["health", "--json"], env));
      await attempt("offthegrid-db metrics", () => opsCli(["metrics", "--json"], env));
      await attempt("offthegrid-db watchdog", () => opsCli(["watchdog", "--json"], env));
      await attempt("offthegrid-migrate status", () => migrateCli(["status", "--json"], env));
      await attempt("offthegrid-migrate plan", () => migrateCli(["plan", "--json"], env));
      await attempt("offthegrid-migrate up", () => migrateCli(["up"], env));
      await attempt("offthegrid-migrate down", () => migrateCli(["down", "--yes"], env));
      await attempt("offthegrid-db maintenance", () => opsCli(["maintenance"], env));
      await attempt("offthegrid-db reset", () => opsCli(["reset", "--yes"], env));
      if (scenario.backup) {
        const dir = path.join(tmp, `backup-${phase}`);
        let file = "";
        await attempt("offthegrid-db backup", async () => {
          const run = await opsCli(["backup", "--postgres-only", "--dir", dir, "--json"], env);
          if (run.code === 0) file = JSON.parse(run.out).postgres;
          return run;
        });
        await attempt("offthegrid-db restore", () =>
          opsCli(["restore", file, "--force", "--database", database], env),
        );
      }
      return out;
    }

    /** Waits until the log collector has written everything up to now (a marker statement appears). */
    async function flushedLog() {
      const marker = `log-flush-${randomBytes(6).toString("hex")}`;
      await adminQuery((c) => c.query(`SELECT '${marker}'`));
      const dir = path.join(dataDir, "log");
      for (let i = 0; i < 100; i++) {
        const entries = readJsonLog(dir);
        if (entries.some((e) => (e.message ?? "").includes(marker))) return entries;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the server log in ${dir} never showed ${marker}`);
    }

    const isAdminUser = (user: string | undefined) =>
      user === adminConfig.user || /^offthegrid_restore_/.test(user ?? "");

    before(async () => {
      dataDir = path.join(os.tmpdir(), `offthegrid-pg-admin-${randomBytes(6).toString("hex")}`);
      pg = await startPostgres({
        major: scenario.major,
        dataDir,
        extraFlags: LOG_FLAGS.flatMap((f) => ["-c", f]),
      });
      database = await pg.createDatabase("admin_path");
      adminConfig = pg.config(database);
      if (scenario.admin === "rds-master") {
        await createMaster(pg);
        const master = pg.config(database, { user: MASTER });
        adminConfig = { ...master, password: MASTER_PASSWORD };
        await adminQueryAsSuperuser(pg, database, [
          `ALTER DATABASE ${database} OWNER TO ${MASTER}`,
          `CREATE SCHEMA monitoring AUTHORIZATION ${MASTER}`,
          "CREATE EXTENSION pg_stat_statements SCHEMA monitoring",
        ]);
      }
      provider = requireFromString((await capturedInputs()).__provider).handler();
      inputs = {
        ...captured,
        connection: { host: "127.0.0.1", port: pg.port, database, sslmode: "disable" },
        admin: { user: adminConfig.user, password: adminConfig.password, managePassword: false },
      };
      // The first `pulumi up`: the database is new, nothing can be planted yet (the owner role does not
      // exist).
      ({ outs } = await provider.create(inputs));
      // Phase 1: what do the admin sessions send? The server's log has every session's statements, pg_dump's
      // and pg_restore's included, but a superuser may switch its own logging off (the bootstrap does, around
      // the passwords); what the node processes send is also recorded at the client.
      const sent = recordClientQueries();
      let first: Map<string, CliRun | Error | "ok">;
      try {
        first = await runEntryPoints("harvest");
      } finally {
        sent.stop();
      }
      for (const [name, outcome] of first)
        assert.ok(!(outcome instanceof Error), `${name} failed before any trap was planted: ${outcome}`);
      harvest = emptyHarvest();
      for (const entry of await flushedLog()) {
        const sql = statementOf(entry);
        if (sql !== undefined && isAdminUser(entry.user)) await harvestStatement(sql, harvest);
      }
      for (const { user, sql } of sent.queries) if (isAdminUser(user)) await harvestStatement(sql, harvest);
      // Phase 2: plant, as the owner's login, in every schema a non-admin may create in.
      const planted = await adminQuery((admin) =>
        plantTraps(
          admin,
          harvest,
          async (role) => {
            const c = pgClient(roleConfigFor(role));
            await c.connect();
            return c;
          },
          OWNER_LOGIN,
        ),
      );
      console.log(
        `      harvested ${harvest.statements} admin statements: ${harvest.functions.size} functions, ` +
          `${harvest.operators.size} operators, ${harvest.relations.size} relations, ${harvest.types.size} types; ` +
          `planted ${planted.functions} functions, ${planted.operators} operators, ${planted.relations} relations, ` +
          `${planted.types} types in ${planted.schemas.join(", ")}`,
      );
      assert.ok(planted.schemas.includes("public"), "the owner's public schema is writable by a non-admin");
      assert.ok(planted.functions > 0 && planted.relations > 0, "traps were planted (not vacuous)");
      rolesBefore = await adminQuery(roleSnapshot);
      for (const [name, outcome] of await runEntryPoints("traps")) results.set(name, outcome);
    });

    function roleConfigFor(role: string): ClientConfig {
      for (const key of ["owner", "app", "readonly"] as const)
        for (const slot of ["current", "previous"] as const)
          if (inputs.roles[key][slot].name === role)
            return pg.config(database, { user: role, password: inputs.roles[key][slot].password });
      throw new Error(`no password known for ${role}`);
    }

    after(async () => {
      await pg?.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("the harvest parsed every admin statement and found the bootstrap's names", () => {
      assert.deepEqual(harvest.unparsed, []);
      assert.ok(harvest.functions.has("count"), "the scrub's count() is in the harvest");
    });

    it("no planted object ran in an admin session", async () => {
      const hits = (await flushedLog())
        .filter((e) => /^offthegrid-trap /.test(e.message ?? ""))
        .filter((e) => / admin=t(rue)?$/.test(e.message ?? ""))
        .map((e) => `${e.user}: ${e.message}`);
      assert.deepEqual([...new Set(hits)], []);
    });

    it("no role gained an attribute or a membership", async () => {
      assert.deepEqual(await adminQuery(roleSnapshot), rolesBefore);
    });

    for (const [command, expected] of Object.entries(COMMANDS)) {
      if (expected === "no-database") continue;
      if (!scenario.backup && /backup|restore/.test(command)) continue;
      it(`${command} with the admin's URL ${expected === "succeeds" ? "succeeds" : "refuses the admin login"} beside the traps`, () => {
        const outcome = results.get(command);
        assert.ok(
          outcome && !(outcome instanceof Error) && outcome !== "ok",
          `${command} did not run: ${outcome}`,
        );
        if (expected === "succeeds") assert.equal(outcome.code, 0, `${outcome.err}`);
        else {
          assert.notEqual(outcome.code, 0);
          assert.match(String(outcome.error), /Refusing to .* as \S+ \((SUPERUSER|CREATEROLE)/);
        }
      });
    }

    for (const step of ["provider create (existing database)", "provider update"])
      it(`${step} succeeds beside the traps`, () => {
        const outcome = results.get(step);
        assert.equal(outcome instanceof Error ? outcome.message : outcome, "ok");
      });
  });
}

/** Every query text the `pg` clients of this process send (the provider and both CLIs use this module). */
function recordClientQueries(): { queries: { user?: string; sql: string }[]; stop(): void } {
  const proto = require("pg").Client.prototype;
  const original = proto.query;
  const queries: { user?: string; sql: string }[] = [];
  proto.query = function (this: { user?: string }, text: unknown, ...rest: unknown[]) {
    const sql = typeof text === "string" ? text : (text as { text?: string } | undefined)?.text;
    if (sql) queries.push({ user: this.user, sql });
    return original.call(this, text, ...rest);
  };
  return { queries, stop: () => (proto.query = original) };
}

async function adminQueryAsSuperuser(
  pg: TestPostgres,
  database: string,
  statements: string[],
): Promise<void> {
  const c = pgClient(adminConnection(pg.config(database, { password: SUPERUSER_PASSWORD })));
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}
