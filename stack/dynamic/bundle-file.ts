// Where the pre-bundled dynamic providers live and how the program knows each is current. A bundle is build
// output (build/providers/<name>.js, git-ignored), made by `npm run build` (`npm ci` runs it as `prepare`)
// from one provider module and everything it imports (stack/dynamic/providers.ts lists them). It records a
// hash of each input esbuild read, so a program whose sources changed after the build (an edited migrator
// file, a merge) fails before it registers anything, naming the command, instead of deploying the previous
// code.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The project root: the nearest folder above this module with a package.json (sources or compiled program).
 */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "Pulumi.yaml")))
      return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, "..", "..");
  }
}

export const PROJECT_ROOT = projectRoot(__dirname);
/** build/providers/<name>.js under the project root. */
export function bundleFile(name: string, root: string = PROJECT_ROOT): string {
  return path.join(root, "build", "providers", `${name}.js`);
}

/** The bundle's second line: `// sources: {"path esbuild read, from the root": "hash of its text"}`. */
export const SOURCES_MARK = "// sources: ";

export function sourceHash(root: string, id: string): string | undefined {
  const file = path.join(root, id);
  if (!fs.existsSync(file)) return undefined;
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16);
}

/**
 * A refusal the Pulumi language host prints as its message alone, as it does a `pulumi.RunError` (it
 * recognises one by this marker, RunError.isInstance): without it, a stale bundle arrived as an "unhandled
 * exception" with Node stack frames. This module stays free of Pulumi imports (tools and tests load it).
 */
function refusal(message: string): Error {
  return Object.assign(new Error(message), { __pulumiRunError: true });
}

/** The bundle's text; throws naming `npm run build` when it is missing or older than its sources. */
export function readBundle(file: string, root: string = PROJECT_ROOT): string {
  const shown = path.relative(root, file) || file;
  if (!fs.existsSync(file))
    throw refusal(
      `${shown} is missing: the dynamic providers are built from their modules (stack/dynamic/providers.ts) ` +
        "by `npm run build` (npm ci runs it). Run `npm run build`.",
    );
  const text = fs.readFileSync(file, "utf8");
  const line = text.split("\n", 2)[1] ?? "";
  const sources: Record<string, string> = line.startsWith(SOURCES_MARK)
    ? JSON.parse(line.slice(SOURCES_MARK.length))
    : {};
  const changed = Object.entries(sources)
    .filter(([id, hash]) => sourceHash(root, id) !== hash)
    .map(([id]) => id);
  if (!line.startsWith(SOURCES_MARK) || changed.length > 0)
    throw refusal(
      `${shown} was built from other sources than these (${changed.length ? `changed: ${changed.join(", ")}` : "no source list"}): ` +
        "run `npm run build`.",
    );
  return text;
}
