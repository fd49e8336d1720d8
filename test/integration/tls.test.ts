import { strict as assert } from "node:assert";
import { makeTestCertificates } from "../../testbed/certificates";
import { TestPostgres, startPostgres } from "../../testbed/postgres";
import { ofType, runStack, stackConfig } from "../../testbed/stack";
import { plain } from "../../testbed/mocks";

const requireFromString = require("require-from-string");

describe("schema provider over verify-full TLS (real PostgreSQL with a certificate, as on RDS)", function () {
  this.timeout(60_000);
  let pg: TestPostgres;
  let certs: { ca: string; otherCa: string };
  let provider: any;
  let inputs: any;

  before(async function () {
    const made = makeTestCertificates();
    certs = made;
    pg = await startPostgres({ extraFlags: made.serverFlags });
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
      iamLogins: [],
    };
  });
  after(async () => pg?.stop());

  it("applies the schema when the certificate chains to the given CA and names the expected host", async () => {
    const { outs } = await provider.create(inputs);
    assert.deepEqual(outs.migrations, inputs.migrations);
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
