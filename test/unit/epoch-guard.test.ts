// Epochs only move forward (stack/credentials/epoch-rule.ts through stack/config/guard-check.ts). Generated
// from the key table: every `…Epoch` key is refused below its applied value by the guard the engine runs,
// serialized and loaded as the dynamic-provider host loads it, so a new epoch key is covered without editing
// this file.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { EPOCH_KEYS, keys } from "../../stack/config/keys";
import { epoch } from "../../stack/config/key-spec";
import { configGuardProvider, guardRefusals } from "../../stack/config/guard-check";
import { validateConfig } from "../../stack/config/validate";
import { epochConsequence, epochGuards, epochKind } from "../../stack/credentials/epoch-rule";
import { credentialsKeys } from "../../stack/credentials/keys";
import { PROJECT } from "../../testbed/stack";
import { dev, prod } from "../support/config-cases";
import { assertOneParagraph } from "../support/one-paragraph";

const requireFromString = require("require-from-string");

describe("epochs only move forward (every …Epoch key of the key table)", () => {
  let guard: typeof configGuardProvider;
  before(async () => {
    const serialized = await pulumi.runtime.serializeFunction(() => configGuardProvider);
    guard = requireFromString(serialized.text).handler();
  });

  it("the table's epoch keys: every key parsed as an epoch, every credential's rotation and retired epoch", () => {
    const parsedAsEpoch = Object.entries(keys)
      .filter(([, spec]) => spec.parse === epoch)
      .map(([name]) => name);
    for (const name of [...parsedAsEpoch, ...Object.keys(credentialsKeys).filter((k) => /Epoch$/.test(k))])
      assert.ok(EPOCH_KEYS.includes(name as (typeof EPOCH_KEYS)[number]), name);
    assert.ok(EPOCH_KEYS.length >= 9, EPOCH_KEYS.join(", "));
    // docs/configuration.md and Pulumi.yaml say so for each.
    for (const key of EPOCH_KEYS)
      assert.match(
        keys[key].description,
        /Only moves forward: preview refuses a value below the applied one\./,
        key,
      );
    // Both platforms hand every one of them to the guard.
    for (const raw of [dev(), prod()])
      assert.deepEqual(
        Object.keys(validateConfig(raw, PROJECT, "test").epochs).sort(),
        [...EPOCH_KEYS].sort(),
      );
  });

  for (const key of EPOCH_KEYS) {
    it(`${key}: a decrease is refused at check, naming the key, the applied value and the fix`, async () => {
      const applied = { keys: epochGuards({ [key]: 2 }) };
      const lowered = await guard.check(applied, { keys: epochGuards({ [key]: 1 }) });
      assert.equal(lowered.failures.length, 1);
      const [failure] = lowered.failures;
      assert.equal(failure.property, "", "the engine prints the reason alone, not the property's value");
      assert.match(
        failure.reason,
        new RegExp(`^offthegrid-database:${key} is 1, below the applied 2: .* Set it back to 2; `),
      );
      assert.match(
        failure.reason,
        /for a fresh password raise .* \(docs\/runbooks\.md "Rotate a secret"\)\.$/,
      );
      assertOneParagraph(failure.reason);
      // Equal or higher passes; so does a first deployment (nothing applied).
      for (const next of [2, 3])
        assert.deepEqual((await guard.check(applied, { keys: epochGuards({ [key]: next }) })).failures, []);
      assert.deepEqual((await guard.check(undefined, { keys: epochGuards({ [key]: 0 }) })).failures, []);
    });
  }

  it("check hands the applied values back as `applied` (what a preview shows as outputs), the new ones after an update", async () => {
    const olds = { keys: epochGuards({ postgresAppPasswordEpoch: 1 }) };
    const news = { keys: epochGuards({ postgresAppPasswordEpoch: 2 }) };
    const checked = await guard.check(olds, news);
    assert.deepEqual(checked.inputs.applied, { postgresAppPasswordEpoch: 1 });
    assert.deepEqual((await guard.update("config-guard", olds, news)).outs.applied, {
      postgresAppPasswordEpoch: 2,
    });
    assert.equal((await guard.diff("config-guard", checked.inputs, checked.inputs)).changes, false);
    assert.equal((await guard.diff("config-guard", olds, news)).changes, true);
  });

  it("several keys lowered at once: one refusal each", () => {
    const olds = { keys: epochGuards({ redisAppPasswordEpoch: 3, redisAppRetiredEpoch: 3 }) };
    const news = { keys: epochGuards({ redisAppPasswordEpoch: 2, redisAppRetiredEpoch: 1 }) };
    const refusals = guardRefusals(olds, news);
    assert.equal(refusals.length, 2);
    assert.match(
      refusals[1],
      /redisAppRetiredEpoch is 1, below the applied 3: .*raise redisAppPasswordEpoch by one/,
    );
  });
});

describe("what a raised epoch cuts off (the preview warning)", () => {
  it("alternating credentials: one step cuts off the URL of two rotations ago, two steps the one the app holds", () => {
    assert.equal(epochKind("postgresAppPasswordEpoch"), "alternating");
    assert.equal(epochConsequence("postgresAppPasswordEpoch", 0, 1), undefined);
    assert.match(
      epochConsequence("redisAppPasswordEpoch", 2, 3) ?? "",
      /^offthegrid-database:redisAppPasswordEpoch 2 → 3: the URL of epoch 1 is refused from now on; the one of epoch 2/,
    );
    assert.match(
      epochConsequence("postgresAppPasswordEpoch", 1, 3) ?? "",
      /both logins get new passwords, so the URL the app holds \(epoch 1\) is refused at once/,
    );
  });

  it("single credentials and retirements say what is refused at once; a decrease or no change says nothing", () => {
    assert.match(
      epochConsequence("postgresAdminPasswordEpoch", 0, 1) ?? "",
      /PostgreSQL container is replaced/,
    );
    assert.match(epochConsequence("devToolsPasswordEpoch", 0, 1) ?? "", /pgAdmin and Redis Commander logins/);
    assert.match(
      epochConsequence("redisAdminRetiredEpoch", 0, 1) ?? "",
      /previous password of that Redis user/,
    );
    for (const key of EPOCH_KEYS) {
      assert.equal(epochConsequence(key, 2, 2), undefined, key);
      assert.equal(epochConsequence(key, 2, 1), undefined, key);
      const line = epochConsequence(key, 3, 5);
      assert.ok(line?.startsWith(`offthegrid-database:${key} 3 → 5: `), key);
      assertOneParagraph(line ?? "");
    }
  });
});
