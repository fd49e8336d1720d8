// policy/fixes.ts on its own (no pack, no stack): the message shapes every rule file's fix() produces, and
// the error a rule gets when its file lacks the row for a property it reports on.
import { strict as assert } from "node:assert";
import { fixes } from "../../policy/fixes";
import { RDS_INSTANCE, REMOTE_IMAGE } from "../../policy/kit";

const { fix, configKeyOf } = fixes("policy/example.ts", {
  propertyKeys: { [RDS_INSTANCE]: { multiAz: "postgresMultiAz" }, "aws:*": { tags: "owner" } },
  codeSet: {
    [RDS_INSTANCE]: { storageEncrypted: "stack/postgres/rds.ts" },
    [REMOTE_IMAGE]: { name: "stack/local/service-container.ts" },
  },
  imageKeys: [[/pgadmin/, "pgadminImage"]],
});

describe("policy fixes(): a rule file's fix()", () => {
  it("names the config key, or the file when no key sets the property", () => {
    assert.equal(
      fix(RDS_INSTANCE, "multiAz", "to true"),
      "set offthegrid-database:postgresMultiAz to true (multiAz)",
    );
    assert.equal(
      fix(RDS_INSTANCE, "storageEncrypted", "to true"),
      "set storageEncrypted to true in stack/postgres/rds.ts (no config key sets it)",
    );
    assert.equal(
      fix(RDS_INSTANCE, "storageEncrypted", ""),
      "set storageEncrypted in stack/postgres/rds.ts (no config key sets it)",
    );
  });

  it('applies an "aws:*" row to every aws: type, and to no other provider', () => {
    assert.equal(
      fix("aws:kms/key:Key", "tags", "for Owner"),
      "set offthegrid-database:owner for Owner (tags)",
    );
    assert.equal(configKeyOf("docker:index/container:Container", "tags"), undefined);
  });

  it("names an image's key by what the RemoteImage's name says it runs, else the file", () => {
    assert.equal(
      fix(REMOTE_IMAGE, "name", "", "pgadmin-image"),
      "set offthegrid-database:pgadminImage (name)",
    );
    assert.equal(
      fix(REMOTE_IMAGE, "name", "", "other-image"),
      "set name in stack/local/service-container.ts (no config key sets it)",
    );
  });

  it("throws for a property the file declares no row for, naming the file", () => {
    assert.throws(
      () => fix(RDS_INSTANCE, "publiclyAccessible", "to false"),
      /^Error: policy\/example\.ts: no config key or file for aws:rds\/instance:Instance publiclyAccessible: add a propertyKeys/,
    );
  });
});
