// A prebuilt dynamic provider (build/providers/<name>.js) whose sources changed after `npm run build` refuses
// `preview` and `up` alike, with the same message naming the bundle, the changed file and `npm run build`,
// before anything is registered: a stale build never deploys half a stack. One case per provider the build
// makes (stack/dynamic/providers.ts), under the real CLI, in a project copy with a build/ of its own.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { SOURCES_MARK } from "../../stack/dynamic/bundle-file";
import { PREBUILT_PROVIDERS, type PrebuiltProviderName } from "../../stack/dynamic/providers";
import { EngineSession } from "../../testbed/engine/session";

const NAMES = Object.keys(PREBUILT_PROVIDERS) as PrebuiltProviderName[];

describe("a stale provider build refuses preview and up before anything is registered (real CLI)", function () {
  this.timeout(300_000);
  let s: EngineSession;

  before(async () => {
    s = EngineSession.create("stale-build", { copyCode: true });
    await s.pulumi(["login", `file://${s.backend}`]);
    await s.pulumi(["stack", "init", "dev"]);
  });
  after(async () => s?.dispose());

  for (const name of NAMES) {
    it(`${name}: its entry edited since the build`, async () => {
      const file = path.join(s.project, "build", "providers", `${name}.js`);
      const built = fs.readFileSync(file, "utf8");
      const entry = PREBUILT_PROVIDERS[name].entry;
      // What an edit after the build leaves: the recorded hash of the entry no longer matches its text.
      const lines = built.split("\n");
      const sources = JSON.parse(lines[1].slice(SOURCES_MARK.length)) as Record<string, string>;
      sources[entry] = "0".repeat(16);
      lines[1] = SOURCES_MARK + JSON.stringify(sources);
      fs.writeFileSync(file, lines.join("\n"));
      try {
        const expected = `build/providers/${name}.js was built from other sources than these (changed: ${entry}): run \`npm run build\`.`;
        const outputs: string[] = [];
        for (const args of [["preview"], ["up", "--yes", "--skip-preview"]]) {
          const run = await s.pulumi([...args, "--stack", "dev"], { allowFailure: true });
          assert.notEqual(run.code, 0, `${args[0]} failed`);
          const output = run.stdout + run.stderr;
          assert.ok(
            output.includes(expected),
            `${args[0]} names the bundle, the file and the fix:\n${output}`,
          );
          assert.doesNotMatch(output, /^\s*at .*\(/m, "no stack frames");
          assert.doesNotMatch(output, /\(node:\d+\) \w*Warning/, "no Node warning");
          outputs.push(output);
        }
        const state = JSON.parse((await s.pulumi(["stack", "export"])).stdout) as {
          deployment: { resources?: { type: string }[] };
        };
        const registered = (state.deployment.resources ?? []).map((r) => r.type);
        assert.deepEqual(
          registered.filter((t) => t !== "pulumi:pulumi:Stack"),
          [],
          "nothing but the stack itself was registered",
        );
      } finally {
        fs.writeFileSync(file, built);
      }
    });
  }
});
