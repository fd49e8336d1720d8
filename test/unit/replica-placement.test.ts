// Replica zones and maintenance windows are pure functions of the config (no Pulumi runtime).
import { strict as assert } from "node:assert";
import { replacementGuardProvider } from "../../stack/aws/replacement-guard-check";
import { replicaMaintenanceWindows, replicaZones } from "../../stack/postgres/replica-placement";
import { overlaps, weeklyPoint, weeklySpan } from "../../policy/windows";

describe("replica placement", () => {
  it("zones do not depend on the order of privateSubnets", () => {
    const a = replicaZones(["eu-west-1a", "eu-west-1b", "eu-west-1c"], 2);
    assert.deepEqual(a, ["eu-west-1b", "eu-west-1c"]);
    assert.deepEqual(replicaZones(["eu-west-1c", "eu-west-1a", "eu-west-1b"], 2), a);
    assert.deepEqual(replicaZones(["eu-west-1a", "eu-west-1a", "eu-west-1b"], 3), [
      "eu-west-1b",
      "eu-west-1b",
      "eu-west-1b",
    ]);
    assert.deepEqual(replicaZones(["eu-west-1a"], 1), ["eu-west-1a"]);
  });

  it("replica windows follow the primary's one after another, wrapping the week", () => {
    assert.deepEqual(replicaMaintenanceWindows("sun:03:00-sun:04:00", 2), [
      "sun:04:00-sun:05:00",
      "sun:05:00-sun:06:00",
    ]);
    assert.deepEqual(replicaMaintenanceWindows("sun:23:00-mon:00:30", 1), ["mon:00:30-mon:02:00"]);
    assert.deepEqual(replicaMaintenanceWindows("sun:23:30-mon:00:00", 1), ["mon:00:00-mon:00:30"]);
  });

  it("replica windows never overlap each other or the primary's, on every day and across the week's end", () => {
    const WEEK = 7 * 1440;
    let checked = 0;
    for (let day = 0; day < 7; day++)
      for (const startMinute of [0, 22 * 60 + 30, 23 * 60 + 30])
        for (const length of [30, 60, 90]) {
          const start = day * 1440 + startMinute;
          const primary = `${weeklyPoint(start)}-${weeklyPoint(start + length)}`;
          const windows = [primary, ...replicaMaintenanceWindows(primary, 3)];
          const spans = windows.map((w) => weeklySpan(w));
          spans.forEach((span, i) => {
            assert.equal(span.end - span.start, length, `${windows[i]} (after ${primary})`);
            if (i > 0)
              assert.equal(
                span.start % WEEK,
                spans[i - 1].end % WEEK,
                `${windows[i]} follows ${windows[i - 1]}`,
              );
            for (let j = 0; j < i; j++)
              assert.ok(!overlaps([span], [spans[j]]), `${windows[i]} overlaps ${windows[j]}`);
          });
          checked++;
        }
    assert.equal(checked, 63);
  });

  it("ReplacementGuard refuses a subnet change that moves a replica, naming the key", async () => {
    const guarded = (value: string) => ({
      guarded: { privateSubnets: { value, replaces: "RDS read replicas (availabilityZone)" } },
    });
    const { failures } = await replacementGuardProvider.check(
      guarded("replica-1=eu-west-1b"),
      guarded("replica-1=eu-west-1c"),
    );
    assert.equal(failures.length, 1);
    assert.match(failures[0].reason, /offthegrid-database:privateSubnets changed .* RDS read replicas/);
  });
});
