// Invariant: no password and no verifier appears in any statement text a role can see. The
// read-only role has pg_monitor: it sees every session's current (or last) statement in pg_stat_activity, and
// every tracked statement in pg_stat_statements (schema `monitoring`).
//
// How: every place in the product (stack/, migrator/, cli/, policy/) that sets a password is found by
// scanning the sources (calls of setVerifiers / setPasswordsUntracked, and any PASSWORD in SQL text), and
// each must map to a path below that this test drives for real, the way a user does: the provider's update
// with rotated member passwords (bootstrap), with a rotated managed admin password (connectAdmin), with IAM
// logins on a server where rds_iam exists (created NOLOGIN, as on RDS), and `offthegrid-db restore --force`
// (its temporary login). Meanwhile the read-only role polls both views without pause; every text it saw is
// checked for a SCRAM/md5 verifier and for every password involved, the restore's random one included (taken
// from what the restore hands pg_restore).
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Client } from "pg";
import { pgClient } from "../../testbed/pg-client";
import { plain } from "../../testbed/mocks";
import { TestPostgres, startPostgres, withClient } from "../../testbed/postgres";
import { ROOT, ofType, runStack, stackConfig } from "../../testbed/stack";
import { opsCli } from "./support";

const requireFromString = require("require-from-string");
const TYPE = "pulumi-nodejs:dynamic/offthegrid:SchemaMigrations";

/** Every source site that sets a password, by the path below that drives it (or why no role can see it). */
const SITES: Record<string, string> = {
  "stack/schema/provider.ts setPasswordsUntracked": "admin rotation",
  "migrator/bootstrap.ts setPasswordsUntracked": "member rotation",
  "migrator/bootstrap.ts setVerifiers": "member rotation",
  "migrator/bootstrap.ts PASSWORD": "member rotation", // PASSWORD NULL for legacy groups
  "migrator/bootstrap-hardening.ts PASSWORD": "member rotation", // setVerifiers' DO block, run by every path
  "migrator/bootstrap-iam.ts PASSWORD": "IAM logins", // PASSWORD NULL
  "cli/ops/postgres-restore.ts setVerifiers": "restore",
  // Rendered into the dev container's entrypoint: single-user mode before the server listens, no session
  // exists.
  "stack/postgres/superuser-rekey.ts PASSWORD": "no server session",
  // A CrossGuard rule that flags container env vars named like a password: policy code never connects.
  "policy/local.ts PASSWORD": "no server session",
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

/** `<file> <what>` for each call of the two password setters and each PASSWORD in code (comments skipped). */
function passwordSites(): string[] {
  const sites = new Set<string>();
  for (const top of ["stack", "migrator", "cli", "policy"])
    for (const file of sourceFiles(path.join(ROOT, top))) {
      const rel = path.relative(ROOT, file);
      for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const code = line.trim();
        if (/^(\/\/|\/\*|\*)/.test(code)) continue;
        for (const m of code.matchAll(/\b(setVerifiers|setPasswordsUntracked)\(/g))
          if (!/function\s*$/.test(code.slice(0, m.index))) sites.add(`${rel} ${m[1]}`);
        if (/\bPASSWORD\b/.test(code.replace(/\/\/.*$/, ""))) sites.add(`${rel} PASSWORD`);
      }
    }
  return [...sites].sort();
}

const secret = () => `${randomBytes(18).toString("base64url")}-Pw`;

describe("adversarial: no password or verifier in any statement text the read-only role can see (real PostgreSQL 15)", function () {
  this.timeout(300_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-adv-capture-"));
  const driven = new Set<string>();
  const passwords = new Set<string>();
  /** Each distinct (view, user, text) the watcher saw. */
  const seen = new Map<string, Capture>();
  let pg: TestPostgres;
  let database: string;

  before(async () => {
    const run = await runStack("dev", stackConfig("Pulumi.dev.yaml"));
    const captured = plain(ofType(run, TYPE)[0].inputs);
    const provider = requireFromString(captured.__provider).handler();
    pg = await startPostgres({ major: 15 });
    database = await pg.createDatabase("adv_capture");
    const firstAdmin = secret();
    passwords.add(firstAdmin);
    await withClient(pg.config(), async (c) => {
      await c.query("SET pg_stat_statements.track_utility = off");
      await c.query(`CREATE ROLE dev_admin LOGIN SUPERUSER PASSWORD '${firstAdmin}'`);
      await c.query("CREATE ROLE rds_iam NOLOGIN"); // what RDS has and community PostgreSQL lacks
    });
    let inputs = {
      ...captured,
      connection: { host: "127.0.0.1", port: pg.port, database, sslmode: "disable" },
      admin: { user: "dev_admin", password: firstAdmin, managePassword: true },
      iamLogins: [{ name: "offthegrid_readonly_iam", role: "readonly" }],
    };
    for (const key of ["owner", "app", "readonly"])
      for (const slot of ["current", "previous"]) passwords.add(inputs.roles[key][slot].password);
    const created = await provider.create(inputs);
    const id = created.id;
    let outs = created.outs;
    const readonly = inputs.roles.readonly.current;
    await withClient(pg.config(database), (c) => c.query("SELECT monitoring.pg_stat_statements_reset()"));

    const stop = watch(pg.config(database, { user: readonly.name, password: readonly.password }), seen);
    // The passwords the CLI hands pg_dump/pg_restore (the restore's temporary login's among them), read from
    // the environment of the processes it starts: module exports are read-only getters once transpiled.
    const childProcess = require("node:child_process");
    const spawn = childProcess.spawn;
    childProcess.spawn = (
      command: string,
      args: readonly string[],
      options?: { env?: NodeJS.ProcessEnv },
    ) => {
      if (options?.env?.PGPASSWORD) passwords.add(options.env.PGPASSWORD);
      return spawn(command, args, options);
    };
    try {
      const step = async (name: string, next: typeof inputs) => {
        ({ outs } = await provider.update(id, outs, next));
        inputs = next;
        driven.add(name);
      };
      const rotated = structuredClone(inputs);
      for (const key of ["owner", "app", "readonly"]) {
        rotated.roles[key].current.password = secret();
        passwords.add(rotated.roles[key].current.password);
      }
      await step("member rotation", rotated);
      const secondAdmin = secret();
      passwords.add(secondAdmin);
      await step("admin rotation", { ...inputs, admin: { ...inputs.admin, password: secondAdmin } });
      await step("IAM logins", {
        ...inputs,
        iamLogins: [...inputs.iamLogins, { name: "offthegrid_app_iam", role: "app" }],
      });
      const url = (user: string, password: string) =>
        `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${pg.port}/${database}`;
      const backup = await opsCli(["backup", "--postgres-only", "--dir", path.join(tmp, "b"), "--json"], {
        DATABASE_URL: url(inputs.roles.readonly.current.name, inputs.roles.readonly.current.password),
      });
      assert.equal(backup.code, 0, backup.err);
      const restore = await opsCli(
        ["restore", JSON.parse(backup.out).postgres, "--force", "--database", database],
        { ADMIN_DATABASE_URL: url("dev_admin", secondAdmin) },
      );
      assert.equal(restore.code, 0, restore.err);
      driven.add("restore");
    } finally {
      childProcess.spawn = spawn;
      await stop();
    }
  });
  after(async () => {
    await pg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("every source site that sets a password is classified and driven by this test", () => {
    const sites = passwordSites();
    assert.deepEqual(sites, Object.keys(SITES).sort(), "classify each new site in SITES");
    const undriven = sites.filter((s) => SITES[s] !== "no server session" && !driven.has(SITES[s]));
    assert.deepEqual(undriven, []);
  });

  it("the paths ran for real: IAM logins got LOGIN and rds_iam, the restore's login came and went", async () => {
    await withClient(pg.config(database), async (c) => {
      const { rows } = await c.query(
        `SELECT r.rolname, r.rolcanlogin, pg_has_role(r.rolname, 'rds_iam', 'MEMBER') AS iam
           FROM pg_roles r WHERE r.rolname IN ('offthegrid_readonly_iam', 'offthegrid_app_iam') ORDER BY 1`,
      );
      assert.deepEqual(
        rows.map((r) => [r.rolname, r.rolcanlogin, r.iam]),
        [
          ["offthegrid_app_iam", true, true],
          ["offthegrid_readonly_iam", true, true],
        ],
      );
    });
    const texts = [...seen.values()].map((s) => s.text);
    assert.ok(
      texts.some((t) => /CREATE ROLE offthegrid_restore_/.test(t)),
      "the watcher saw the restore",
    );
    assert.ok(
      texts.some((t) => /offthegrid\.verifiers/.test(t)),
      "the watcher saw verifiers being set",
    );
    assert.ok(passwords.size >= 10, `${passwords.size} passwords to look for, the restore's among them`);
  });

  it("no statement text the read-only role saw holds a verifier or a password", () => {
    const leaks = [...seen.values()]
      .filter(
        (s) =>
          /SCRAM-SHA-256\$|md5[0-9a-f]{32}/.test(s.text) || [...passwords].some((p) => s.text.includes(p)),
      )
      .map((s) => `${s.where} (${s.user}): ${redacted(s.text, passwords).slice(0, 160)}`);
    assert.deepEqual(leaks.slice(0, 5), [], `${leaks.length} of ${seen.size} distinct captures leaked`);
  });
});

/**
 * Polls pg_stat_activity and pg_stat_statements as `config` without pause until the returned stop is called.
 */
/** The text with each verifier and password masked: a failure must not print the secret it found. */
function redacted(text: string, passwords: Set<string>): string {
  let out = text.replace(/SCRAM-SHA-256\$[^'\s]*|md5[0-9a-f]{32}/g, "<verifier>");
  for (const p of passwords) out = out.split(p).join("<password>");
  return out;
}

interface Capture {
  readonly where: string;
  readonly user: string;
  readonly text: string;
}

function watch(config: ConstructorParameters<typeof Client>[0], seen: Map<string, Capture>) {
  const add = (c: Capture) => seen.set(`${c.where}\0${c.user}\0${c.text}`, c);
  let stopped = false;
  const loop = (async () => {
    const c = pgClient(config);
    await c.connect();
    try {
      while (!stopped) {
        const activity = await c.query(
          "SELECT coalesce(usename, '') AS u, query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query <> ''",
        );
        for (const r of activity.rows) add({ where: "pg_stat_activity", user: r.u, text: r.query });
        const statements = await c.query(
          "SELECT r.rolname AS u, s.query FROM monitoring.pg_stat_statements s LEFT JOIN pg_roles r ON r.oid = s.userid",
        );
        for (const r of statements.rows) add({ where: "pg_stat_statements", user: r.u ?? "", text: r.query });
      }
    } finally {
      await c.end();
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}
