// The pure parts of `npm run dev` and `--stack`: the local stack config, .env, the URL plan per command, the
// summary table, `migrate new`'s naming, and the rig's `pulumi` that must not find itself on PATH.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ENV_FROM_OUTPUTS, parseEnvFile, renderEnvFile } from "../../cli/dev/env-file";
import { configValue, mergeStackConfig } from "../../cli/dev/stack-config";
import { renderTable } from "../../cli/dev/summary";
import { checkMigrationName, migrationTemplate, nextMigrationFile } from "../../cli/migrate-new";
import { mergedEnvironment, urlsFromOutputs } from "../../cli/shared/stack-urls";
import { PULUMI_WRAPPER_DIR, realPulumiOnPath } from "../../testbed/engine/cli";
import { loadMigrations } from "../../migrator";

const COMMITTED = "# team settings\nconfig:\n  offthegrid-database:environment: dev\n";

describe("npm run dev: the local stack config (.dev/Pulumi.dev.yaml)", () => {
  it("starts from the committed keys and adds the picked ports", () => {
    const text = mergeStackConfig(COMMITTED, undefined, { "offthegrid-database:postgresHostPort": "40001" });
    assert.deepEqual(parse(text).config, {
      "offthegrid-database:environment": "dev",
      "offthegrid-database:postgresHostPort": "40001",
    });
    assert.equal(configValue(text, "postgresHostPort"), "40001");
  });

  it("keeps Pulumi's own keys and local values; committed keys win; a picked port never replaces a set one", () => {
    const local =
      "encryptionsalt: v1:c2FsdA==:v1:abc:def\nconfig:\n  offthegrid-database:environment: prod\n" +
      '  offthegrid-database:postgresHostPort: "40001"\n  offthegrid-database:postgresAppPasswordEpoch: "2"\n';
    const merged = parse(
      mergeStackConfig(COMMITTED, local, { "offthegrid-database:postgresHostPort": "40002" }),
    );
    assert.equal(merged.encryptionsalt, "v1:c2FsdA==:v1:abc:def");
    assert.deepEqual(merged.config, {
      "offthegrid-database:environment": "dev",
      "offthegrid-database:postgresHostPort": "40001",
      "offthegrid-database:postgresAppPasswordEpoch": "2",
    });
  });

  it("names the file when it is not YAML", () => {
    assert.throws(
      () => mergeStackConfig(COMMITTED, "config: [oops"),
      /\.dev\/Pulumi\.dev\.yaml is not valid YAML/,
    );
  });
});

describe("npm run dev: .env", () => {
  const urls = {
    DATABASE_URL: "postgresql://offthegrid_app_a:pw@127.0.0.1:5432/offthegrid?sslmode=disable",
    READONLY_DATABASE_URL: "postgresql://offthegrid_readonly_a:pw@127.0.0.1:5432/offthegrid",
    REDIS_URL: "redis://app:it's$x@127.0.0.1:6379/0",
    REDIS_CACHE_URL: "redis://app:it's$x@127.0.0.1:6380/0",
  };
  it("round-trips every value, quoting what a shell would mangle", () => {
    const text = renderEnvFile(urls, "dev");
    assert.deepEqual(parseEnvFile(text), urls);
    assert.match(text, /^REDIS_URL='redis:\/\/app:it'\\''s\$x@/m);
    assert.match(text, /^REDIS_CACHE_URL='redis:\/\/app:it'\\''s\$x@127\.0\.0\.1:6380\/0'$/m);
    assert.match(
      text,
      /^READONLY_DATABASE_URL=postgresql:\/\/offthegrid_readonly_a:pw@127\.0\.0\.1:5432\/offthegrid$/m,
    );
  });
});

describe("npm run dev: .env names both Redis stores", () => {
  it("REDIS_URL is the state store's app URL, REDIS_CACHE_URL the cache store's", () => {
    assert.deepEqual(ENV_FROM_OUTPUTS, {
      DATABASE_URL: "postgresUrls.app",
      READONLY_DATABASE_URL: "postgresUrls.readonly",
      REDIS_URL: "redisUrls.app",
      REDIS_CACHE_URL: "redisUrls.cacheApp",
    });
  });
});

describe("--stack: the URLs each command takes from the outputs", () => {
  const outputs = {
    postgresUrls: { owner: "postgresql://owner", readonly: "postgresql://ro" },
    redisUrls: { app: "redis://app" },
  };
  it("reads each variable from its output path", () => {
    assert.deepEqual(
      urlsFromOutputs(outputs, { DATABASE_URL: "postgresUrls.readonly", REDIS_URL: "redisUrls.app" }, "dev"),
      { DATABASE_URL: "postgresql://ro", REDIS_URL: "redis://app" },
    );
  });
  it("names the missing output, the stack and the variable that would do instead", () => {
    assert.throws(
      () => urlsFromOutputs(outputs, { ADMIN_DATABASE_URL: "postgresUrls.admin" }, "prod"),
      /stack "prod" has no output postgresUrls\.admin \(for ADMIN_DATABASE_URL\).*set ADMIN_DATABASE_URL/,
    );
  });
  it("a variable that is set wins over the stack; an empty one does not", () => {
    const env = mergedEnvironment(
      { DATABASE_URL: "postgresql://stack", REDIS_URL: "redis://stack" },
      { DATABASE_URL: "postgresql://mine", REDIS_URL: "", HOME: "/h" },
    );
    assert.equal(env.DATABASE_URL, "postgresql://mine");
    assert.equal(env.REDIS_URL, "redis://stack");
    assert.equal(env.HOME, "/h");
  });
});

describe("npm run dev: the summary table", () => {
  it("aligns the columns under a header", () => {
    const lines = renderTable([
      { service: "PostgreSQL", address: "127.0.0.1:5432", role: "offthegrid_app_a", healthy: "yes" },
      { service: "Redis", address: "127.0.0.1:40000", role: "app", healthy: "no (ECONNREFUSED)" },
    ]);
    assert.equal(lines[0], "service     host:port        role              healthy");
    assert.equal(lines[2], "Redis       127.0.0.1:40000  app               no (ECONNREFUSED)");
  });
});

describe("migrate new", () => {
  it("takes the next number after the highest, three digits", () => {
    assert.equal(nextMigrationFile([{ version: 1 }, { version: 5 }], "add_index"), "006_add_index.sql");
    assert.equal(nextMigrationFile([], "first"), "001_first.sql");
  });
  it("refuses names that are not lower case words", () => {
    assert.equal(checkMigrationName("add_user_index"), undefined);
    for (const bad of ["Add", "1st", "add-index", "a b", ""])
      assert.match(checkMigrationName(bad)!, /lower case/);
  });
  it("both templates parse as migration files (transaction and not)", () => {
    const [tx, noTx] = loadMigrations([
      { name: "006_a.sql", sql: migrationTemplate("a", false) },
      { name: "007_b.sql", sql: migrationTemplate("b", true) },
    ]);
    assert.equal(tx.transaction, true);
    assert.equal(noTx.transaction, false);
  });
});

describe("the rig's `pulumi` on PATH", () => {
  it("is skipped when the rig looks for a real `pulumi`, so it never starts itself", () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-on-path-"));
    try {
      assert.equal(realPulumiOnPath(PULUMI_WRAPPER_DIR), undefined);
      const link = path.join(other, "pulumi");
      fs.symlinkSync(path.join(PULUMI_WRAPPER_DIR, "pulumi"), link);
      assert.equal(
        realPulumiOnPath([PULUMI_WRAPPER_DIR, other].join(path.delimiter)),
        undefined,
        "a link to it",
      );
      fs.rmSync(link);
      fs.writeFileSync(link, "#!/bin/sh\n", { mode: 0o755 });
      assert.equal(realPulumiOnPath([PULUMI_WRAPPER_DIR, other].join(path.delimiter)), link);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
