// A working copy of the Pulumi project for engine tests: what a user would have checked out, in a temporary
// folder, so `stack init`, `config set` and new migration files never touch this checkout. Code folders are
// symlinked; index.ts, the stack files and sql/ are copied (index.ts finds sql/ next to itself). With
// `copyCode`, the code and build/ are copied too (node_modules stays linked): modules find the project root
// from their own real path, so only a real copy has a build/ of its own to tamper with.
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./cli";

const LINKED = [
  "stack",
  "migrator",
  "testbed",
  "tools",
  "cli",
  "node_modules",
  "package.json",
  "tsconfig.json",
  "policy",
  // Build output (npm run build): the pre-bundled schema provider the program requires.
  "build",
];
const COPIED = ["program.cjs", "index.ts", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "sql"];

export function copyProject(dir: string, copyCode = false): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of LINKED) {
    if (!fs.existsSync(path.join(ROOT, name))) continue;
    if (copyCode && name !== "node_modules")
      fs.cpSync(path.join(ROOT, name), path.join(dir, name), { recursive: true });
    else fs.symlinkSync(path.join(ROOT, name), path.join(dir, name));
  }
  for (const name of COPIED) fs.cpSync(path.join(ROOT, name), path.join(dir, name), { recursive: true });
  return dir;
}
