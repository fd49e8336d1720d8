// Pure rules of the alternating PostgreSQL logins: which member is current per epoch, and how long a group
// that was main's single login role keeps accepting its old password.
import { strict as assert } from "node:assert";
import { slotGenerations } from "../../stack/credentials/slots";
import { legacyLogins } from "../../stack/schema/legacy-logins";
import { SCHEMA_ROLES, loginPair, memberName } from "../../stack/credentials/roles";

describe("alternating PostgreSQL login members", () => {
  it("names two members per group, valid PostgreSQL identifiers, distinct from every group", () => {
    const names = Object.values(SCHEMA_ROLES).flatMap((r) => [
      memberName(r.name, "a"),
      memberName(r.name, "b"),
    ]);
    assert.deepEqual(names, [
      "offthegrid_owner_a",
      "offthegrid_owner_b",
      "offthegrid_app_a",
      "offthegrid_app_b",
      "offthegrid_readonly_a",
      "offthegrid_readonly_b",
    ]);
    for (const n of names) assert.match(n, /^[a-z_][a-z0-9_]{0,62}$/);
    assert.equal(new Set([...names, ...Object.values(SCHEMA_ROLES).map((r) => r.name)]).size, 9);
  });

  it("each epoch makes the member whose password it regenerated current, and the last current one previous", () => {
    for (let epoch = 1; epoch <= 6; epoch++) {
      const [before, now] = [loginPair("g", epoch - 1), loginPair("g", epoch)];
      assert.equal(now.previous, before.current, `epoch ${epoch}: the old current member stays valid`);
      assert.notEqual(now.current, before.current);
      const regenerated = (["a", "b"] as const).filter(
        (slot) => slotGenerations(epoch)[slot] !== slotGenerations(epoch - 1)[slot],
      );
      assert.deepEqual([memberName("g", regenerated[0])], [now.current], `epoch ${epoch}`);
    }
    // Two rotations later the member is current again, with a password generated after the old one.
    assert.equal(loginPair("g", 3).current, loginPair("g", 1).current);
    assert.ok(slotGenerations(3).a > slotGenerations(1).a);
  });
});

describe("legacy group logins (upgrade from main's single login roles)", () => {
  const roles = {
    app: { group: "offthegrid_app", epoch: 4 },
    owner: { group: "offthegrid_owner", epoch: 0 },
  };

  it("a fresh resource has none: there is no client holding an old password", () => {
    assert.deepEqual(legacyLogins(roles, undefined), {});
  });

  it("state written by main ({ name, password } per role) keeps each group's login for the current epoch", () => {
    const main = { roles: { app: { name: "offthegrid_app" }, owner: { name: "offthegrid_owner" } } };
    assert.deepEqual(legacyLogins(roles, main), { offthegrid_app: 4, offthegrid_owner: 0 });
  });

  it("is carried while the epoch stays, and retired by the role's next rotation only", () => {
    const upgraded = {
      roles: { app: { group: "offthegrid_app" }, owner: { group: "offthegrid_owner" } },
      legacyLogins: { offthegrid_app: 4, offthegrid_owner: 0 },
    };
    assert.deepEqual(legacyLogins(roles, upgraded), { offthegrid_app: 4, offthegrid_owner: 0 });
    const rotated = { ...roles, app: { group: "offthegrid_app", epoch: 5 } };
    assert.deepEqual(legacyLogins(rotated, upgraded), { offthegrid_owner: 0 });
    // Once retired it never comes back, even if the epoch is set back.
    assert.deepEqual(legacyLogins(roles, { ...upgraded, legacyLogins: { offthegrid_owner: 0 } }), {
      offthegrid_owner: 0,
    });
  });

  it("a role recorded under another name is not an upgrade of this group", () => {
    assert.deepEqual(legacyLogins(roles, { roles: { app: { name: "someone_else" } } }), {});
  });
});
