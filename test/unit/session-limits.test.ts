import { strict as assert } from "node:assert";
import { MEMBER_LIMITS } from "../../migrator/bootstrap-hardening";
import { WATCHDOG_LIMITS, WatchedSession, overruns, withOverrides } from "../../cli/ops/session-limits";

/** "60s", "5min" as PostgreSQL writes them in MEMBER_LIMITS. */
function seconds(setting: string): number {
  const m = /^(\d+)(s|min)$/.exec(setting);
  if (!m) throw new Error(`unexpected duration ${setting}`);
  return Number(m[1]) * (m[2] === "min" ? 60 : 1);
}

const session = (over: Partial<WatchedSession>): WatchedSession => ({
  pid: 1,
  backendStart: "2026-12-01 10:00:00.123456+00",
  user: "offthegrid_app_a",
  role: "app",
  state: "idle",
  statementSeconds: 1,
  stateSeconds: 1,
  transactionSeconds: null,
  ...over,
});

describe("watchdog limits (pure)", () => {
  it("never ends a session that kept its own limits: each backstop is above the member's limit", () => {
    for (const role of ["app", "readonly"] as const) {
      const own = MEMBER_LIMITS[role];
      const backstop = WATCHDOG_LIMITS[role];
      assert.ok(backstop.statementSeconds > seconds(own.statement_timeout), role);
      assert.ok(backstop.idleInTransactionSeconds > seconds(own.idle_in_transaction_session_timeout), role);
      assert.ok(backstop.transactionSeconds >= backstop.statementSeconds, role);
    }
  });

  it("names the first limit a session broke, per its role's limits", () => {
    const found = overruns(
      [
        session({ pid: 10, state: "active", statementSeconds: 121.7, transactionSeconds: 121.7 }),
        session({ pid: 11, state: "active", statementSeconds: 119, transactionSeconds: 119 }),
        session({ pid: 12, state: "idle in transaction", stateSeconds: 500, transactionSeconds: 500 }),
        session({
          pid: 13,
          state: "idle in transaction (aborted)",
          stateSeconds: 130,
          transactionSeconds: 130,
        }),
        session({ pid: 14, state: "active", statementSeconds: 5, transactionSeconds: 601 }),
        session({
          pid: 15,
          role: "readonly",
          state: "active",
          statementSeconds: 3000,
          transactionSeconds: 3000,
        }),
        session({ pid: 16, state: "idle", statementSeconds: 9999, stateSeconds: 9999 }),
        session({ pid: 17, role: "readonly", state: "idle", holdsMigrationLock: true }),
      ],
      WATCHDOG_LIMITS,
    );
    assert.deepEqual(
      found.map((o) => [o.pid, o.reason]),
      [
        [10, "statement running 121.7 s (limit 120 s)"],
        [12, "idle in transaction for 500.0 s (limit 120 s)"],
        [13, "idle in transaction for 130.0 s (limit 120 s)"],
        [14, "transaction open for 601.0 s (limit 600 s)"],
        [17, "holds the migrator's advisory lock"],
      ],
    );
  });

  it("applies a flag's override to the named role only and keeps every other default", () => {
    const limits = withOverrides(WATCHDOG_LIMITS, "app", {
      statementSeconds: 600,
      transactionSeconds: undefined,
    });
    assert.deepEqual(limits.app, { ...WATCHDOG_LIMITS.app, statementSeconds: 600 });
    assert.deepEqual(limits.readonly, WATCHDOG_LIMITS.readonly, "raising the app's limit lowers nothing");
    assert.deepEqual(withOverrides(WATCHDOG_LIMITS, undefined, {}), WATCHDOG_LIMITS);
  });

  it("carries what a session was judged on into its overrun (the kill re-checks it)", () => {
    const judgedOn = ["2026-12-01 10:00:01+00", "2026-12-01 10:00:01+00", "2026-12-01 10:00:00+00"] as const;
    const [found] = overruns(
      [session({ state: "active", statementSeconds: 500, judgedOn })],
      WATCHDOG_LIMITS,
    );
    assert.deepEqual(found.judgedOn, judgedOn);
  });
});
