// Builds the package's bins (build/cli/migrate.js, build/cli/db.js; `npm run build`, which `npm ci` runs as
// `prepare`): esbuild bundles each CLI and the project modules it imports into one file, so a start reads one
// file instead of dozens. Packages stay external (they are `dependencies`, resolved from node_modules at run
// time), and a lazy `require("../migrator/runner")` stays lazy: esbuild wraps such a module and evaluates it
// at the call. Types are checked by `npm run typecheck`, not here.
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";

export const ROOT = path.resolve(__dirname, "..");
export const OUT_DIR = path.join(ROOT, "build");
export const CLIS = ["cli/migrate.ts", "cli/db.ts", "cli/dev.ts"];

export function buildClis(): void {
  // build/ starts afresh: tsc's one-file-per-module layout would otherwise linger beside the bundles. `npm
  // run build` writes the provider bundle next.
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  buildSync({
    absWorkingDir: ROOT,
    entryPoints: CLIS,
    outbase: ".",
    outdir: OUT_DIR,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "es2022",
    packages: "external",
    legalComments: "none",
    logLevel: "warning",
  });
}

if (require.main === module) {
  buildClis();
  console.log(`wrote ${CLIS.map((c) => path.join("build", c.replace(/\.ts$/, ".js"))).join(", ")}`);
}
