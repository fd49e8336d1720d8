import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TestPostgres, startPostgres } from "../../harness/postgres";
import { ofType, runStack, stackConfig } from "../../harness/stack";
import { plain } from "../../harness/mocks";

const requireFromString = require("require-from-string");

/** A throwaway CA and a server certificate for `db.offthegrid.test` (what the RDS endpoint would be). */
function makeCertificates(dir: string) {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=test RDS CA",
  );
  run(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=db.offthegrid.test",
  );
  fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=DNS:db.offthegrid.test\n");
  run(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  );
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "other.key",
    "-out",
    "other-ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=some other CA",
  );
  fs.chmodSync(path.join(dir, "server.key"), 0o600);
  return {
    ca: fs.readFileSync(path.join(dir, "ca.pem"), "utf8"),
    otherCa: fs.readFileSync(path.join(dir, "other-ca.pem"), "utf8"),
  };
}

describe("schema provider over verify-full TLS (real PostgreSQL with a certificate, as on RDS)", function () {
  this.timeout(60_000);
  let pg: TestPostgres;
  let certs: { ca: string; otherCa: string };
  let provider: any;
  let inputs: any;

  before(async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-tls-"));
    fs.chmodSync(dir, 0o755);
    certs = makeCertificates(dir);
    // PostgreSQL runs as the `postgres` OS user when the tests run as root: hand it the key.
    if (process.getuid?.() === 0)
      execFileSync("chown", [
        "postgres",
        path.join(dir, "server.key"),
        path.join(dir, "server.pem"),
      ]).toString();
    pg = await startPostgres({
      extraFlags: [
        "-c",
        "ssl=on",
        "-c",
        `ssl_cert_file=${path.join(dir, "server.pem")}`,
        "-c",
        `ssl_key_file=${path.join(dir, "server.key")}`,
      ],
    });
    const run = await runStack(
      "prod",
      stackConfig("Pulumi.prod.yaml", { postgresCaBundlePath: "test/fixtures/test-ca.pem" }),
    );
    const captured = plain(ofType(run, "pulumi-nodejs:dynamic/offthegrid:SchemaMigrations")[0].inputs);
    provider = requireFromString(captured.__provider).handler();
    const database = await pg.createDatabase("tls");
    inputs = {
      ...captured,
      // As through a tunnel: connect to 127.0.0.1, but the certificate names the "RDS endpoint".
      connection: {
        host: "127.0.0.1",
        port: pg.port,
        database,
        sslmode: "verify-full",
        caCert: certs.ca,
        tlsServerName: "db.offthegrid.test",
      },
      admin: { user: "postgres", password: pg.config().password, managePassword: false },
      iamRoles: [],
    };
  });
  after(async () => pg?.stop());

  it("applies the schema when the certificate chains to the given CA and names the expected host", async () => {
    const { outs } = await provider.create(inputs);
    // Every file in sql/ (the count grows with each new migration).
    const files = fs.readdirSync(path.join(__dirname, "..", "..", "sql")).filter((f) => f.endsWith(".sql"));
    assert.equal(outs.migrations.length, files.length);
  });

  it("refuses a server whose certificate does not chain to the given CA (no rejectUnauthorized: false anywhere)", async () => {
    const wrongCa = {
      ...inputs,
      connection: { ...inputs.connection, caCert: certs.otherCa },
      settings: { ...inputs.settings, connectDeadlineMs: 1000 },
    };
    await assert.rejects(provider.create(wrongCa), /self[- ]signed|unable to verify|certificate/i);
  });

  it("refuses a certificate that names another host", async () => {
    const wrongName = {
      ...inputs,
      connection: { ...inputs.connection, tlsServerName: "evil.example.com" },
      settings: { ...inputs.settings, connectDeadlineMs: 1000 },
    };
    await assert.rejects(provider.create(wrongName), /Hostname\/IP does not match|altnames/i);
  });
});
