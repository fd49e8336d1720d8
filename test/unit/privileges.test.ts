import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  INTENDED_PRIVILEGES,
  PINNED_SEARCH_PATH,
  privilegeProblems,
  renderPrivilegeTable,
} from "../../stack/schema/privileges";
import { ROOT } from "../../testbed/root";

const observed = () => Object.entries(INTENDED_PRIVILEGES).map(([object, cells]) => ({ object, ...cells }));

describe("privilege matrix comparison (pure)", () => {
  it("accepts the intended matrix itself", () => assert.deepEqual(privilegeProblems(observed()), []));

  it("names an unclassified object, a missing one, a changed cell and an unpinned search_path", () => {
    const rows = observed().filter((r) => r.object !== "table public.users");
    rows.push({ object: "table public.extra", ownedBy: "x", owner: "", app: "", readonly: "", PUBLIC: "" });
    const fnRow = rows.find((r) => r.object === "function set_updated_at()")!;
    Object.assign(fnRow, { PUBLIC: "EXECUTE", searchPath: "" });
    const problems = privilegeProblems(rows);
    assert.deepEqual(problems, [
      'function set_updated_at(): PUBLIC is "EXECUTE", intended ""',
      `function set_updated_at(): searchPath is "", intended "${PINNED_SEARCH_PATH}"`,
      `function set_updated_at(): search_path must be pinned to "${PINNED_SEARCH_PATH}" (SET search_path = …)`,
      'table public.extra is not classified: add it to INTENDED_PRIVILEGES in stack/schema/privileges.ts with the grants each role needs (it has {"ownedBy":"x","owner":"","app":"","readonly":"","PUBLIC":""})',
      "table public.users is in the intended matrix but not in the database",
    ]);
  });
});

describe("docs/security.md", () => {
  // Prettier pads Markdown table cells, so compare with the padding taken out.
  const unpadded = (text: string) => text.replace(/ *\| */g, "|").replace(/-{3,}/g, "---");

  it("shows the privilege matrix exactly as stack/schema/privileges.ts defines it", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "security.md"), "utf8");
    assert.ok(
      unpadded(doc).includes(unpadded(renderPrivilegeTable())),
      "docs/security.md is stale: replace its matrix with the output of renderPrivilegeTable()",
    );
  });
});
