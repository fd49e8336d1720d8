// The bench's reading of the engine's log (testbed/bench/engine-timeline.ts), on lines in its format.
import { strict as assert } from "node:assert";
import { engineTimeline } from "../../testbed/bench/engine-timeline";

const at = (ms: number, msg: string) =>
  JSON.stringify({ time: new Date(Date.UTC(2026, 11, 7, 12, 0, 0, ms)).toISOString(), level: "INFO", msg });

describe("engine timeline (bench:preview's per-step breakdown)", () => {
  it("reads program start, registrations, plugin readiness and provider call times; skips other lines", () => {
    const log = [
      at(0, "CLI Metadata"),
      "not json",
      at(
        40,
        "newPlugin(): Launching plugin 'nodejs' from '/e/pulumi-language-nodejs' with args: 127.0.0.1:1",
      ),
      at(61, "langhost[nodejs].GetPluginInfo() executing"),
      at(200, "langhost[nodejs].Run(pwd=/p,root=/p, program=/p) executing"),
      at(700, "ResourceMonitor.RegisterResource received: t=pulumi:pulumi:Stack, name=s, custom=false"),
      at(1500, "ResourceMonitor.RegisterResource received: t=offthegrid:x:Y, name=a, custom=false"),
      at(
        1510,
        "newPlugin(): Launching plugin 'random (resource)' from '/h/pulumi-resource-random' with args: x",
      ),
      at(2100, "Checking step create for urn:pulumi:dev::p::pulumi:providers:random::default_4_21_2"),
      at(
        2110,
        "Provider[0xa].Check(urn:pulumi:dev::p::random:index/randomPassword:RandomPassword::pw) executing (#n=1)",
      ),
      at(
        2140,
        "Provider[0xa].Check(urn:pulumi:dev::p::random:index/randomPassword:RandomPassword::pw) success: inputs=#3",
      ),
      at(
        2150,
        "Provider[0xa].Diff(urn:pulumi:dev::p::random:index/randomPassword:RandomPassword::pw) executing",
      ),
      at(
        2160,
        "Provider[0xa].Diff(urn:pulumi:dev::p::random:index/randomPassword:RandomPassword::pw) success: changes=1",
      ),
      at(
        2200,
        "ResourceMonitor.RegisterResource received: t=random:index/randomPassword:RandomPassword, name=pw, x",
      ),
      at(2500, "*** Update(preview=true) complete ***"),
    ].join("\n");
    const t = engineTimeline(log);
    assert.equal(t.goPluginStart, 21);
    assert.equal(t.programLaunched, 200);
    assert.equal(t.stackRegistered, 700);
    assert.equal(t.firstResource, 1500);
    assert.equal(t.lastRegistration, 2200);
    assert.equal(t.registrations, 3);
    assert.equal(t.end, 2500);
    assert.deepEqual(t.plugins, { random: { launched: 1510, ready: 2100 } });
    assert.deepEqual(t.calls, { Check: { count: 1, ms: 30 }, Diff: { count: 1, ms: 10 } });
  });
});
