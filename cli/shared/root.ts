import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The checkout's root: the first directory above this file with a package.json (cli/ run from source,
 * build/cli/ compiled).
 */
function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no package.json above ${from}`);
  }
}

export const sqlDir = () => path.join(projectRoot(), "sql");
/** The checkout this CLI was built in (where `--stack` finds Pulumi.yaml when run from outside a project). */
export const checkoutRoot = () => projectRoot();
