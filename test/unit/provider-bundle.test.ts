import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { OUTPUT, buildProviderBundle } from "../../tools/bundle-provider";

describe("provider bundle (components/schema/provider.bundle.js)", () => {
  it("is exactly what tools/bundle-provider.ts builds from the current sources", () => {
    assert.ok(
      fs.readFileSync(OUTPUT, "utf8") === buildProviderBundle(),
      "components/schema/provider.bundle.js is out of date: run `npm run bundle:provider` and commit the result",
    );
  });

  it("requires nothing but node builtins, pg and the lint's parser (libpg-query), and nothing relative", () => {
    const requires = [...buildProviderBundle().matchAll(/(?<![\w.])require\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.deepEqual(
      [...new Set(requires)].filter((r) => !r.startsWith("node:") && r !== "pg" && r !== "libpg-query"),
      [],
    );
  });
});
