// The provider's `warnings` output is stored in plaintext (no input of that key is secret): no password or
// verifier may survive into it, whatever text a server error carries.
import { strict as assert } from "node:assert";
import { checkedWarnings, redactWarnings } from "../../stack/schema/bootstrap-warnings";
import { scramSha256Verifier } from "../../migrator";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("bootstrap warnings in the SchemaMigrations outputs", () => {
  it("redacts every input password and anything shaped like a SCRAM or md5 verifier", () => {
    const password = "app-Pw-0123456789abcdefghijkl";
    const verifier = scramSha256Verifier("another-Pw-0123456789abcdef");
    const [text] = redactWarnings(
      [
        `ALTER ROLE x PASSWORD '${password}' failed; ALTER ROLE y PASSWORD '${verifier}'; ` +
          "md5 0123 md50123456789abcdef0123456789abcdef",
      ],
      [password, undefined, ""],
    );
    assert.equal(
      text,
      "ALTER ROLE x PASSWORD '[redacted]' failed; ALTER ROLE y PASSWORD '[redacted]'; md5 0123 [redacted]",
    );
  });

  it("a secret containing another is replaced whole; texts without secrets stay as they are", () => {
    assert.deepEqual(redactWarnings(["pw-long-one and pw-long"], ["pw-long", "pw-long-one"]), [
      "[redacted] and [redacted]",
    ]);
    const plain =
      'temp_file_limit could not be set for offthegrid_app_a: permission denied to set parameter "x"';
    assert.deepEqual(redactWarnings([plain], ["secret-password-0123"]), [plain]);
  });

  it("check's value: unknown stays unknown (preview), anything else is [] (an up's check must be known)", () => {
    assert.equal(checkedWarnings(UNKNOWN, UNKNOWN), UNKNOWN);
    assert.deepEqual(checkedWarnings([], UNKNOWN), []);
    assert.deepEqual(checkedWarnings(undefined, UNKNOWN), []);
    assert.deepEqual(checkedWarnings(["stale"], UNKNOWN), []);
  });
});
