// Finds the real Pulumi CLI for the test suite, building it once from the Go module proxy when no new-enough
// `pulumi` is on PATH, and installs the stand-in provider plugins into a PULUMI_HOME of the suite's own, so
// they never shadow a user's real plugins.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../root";
import { withBuildLock } from "./build-lock";

export { ROOT };
const ENGINE_DIR = path.join(ROOT, "testbed", "pulumi-engine");
export const CLI_VERSION = fs.readFileSync(path.join(ENGINE_DIR, "VERSION"), "utf8").trim();
const STANDINS = ["random", "docker", "aws"] as const;

export interface Engine {
  /** The `pulumi` executable. */
  readonly pulumi: string;
  /** Prepended to PATH: the language host and the dynamic-provider launcher live here. */
  readonly binDir: string;
}

function newerOrEqual(a: string, b: string): boolean {
  const pa = a.replace(/^v/, "").split(/[.-]/).map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] || 0) !== pb[i]) return (pa[i] || 0) > pb[i];
  return true;
}

/** The executable `pulumi` tests put first on PATH (this rig, as a command): never an engine of its own. */
export const PULUMI_WRAPPER_DIR = path.join(ROOT, "testbed", "engine", "bin");
const WRAPPER = fs.realpathSync(path.join(PULUMI_WRAPPER_DIR, "pulumi"));

/** The first executable `pulumi` on PATH that is not the wrapper (which would start this rig again). */
export function realPulumiOnPath(pathVar = process.env.PATH ?? ""): string | undefined {
  for (const dir of pathVar.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, "pulumi");
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile() && fs.realpathSync(candidate) !== WRAPPER) return candidate;
    } catch {
      // Not there, or not executable: the next PATH entry.
    }
  }
  return undefined;
}

function pulumiOnPath(): Engine | undefined {
  if (process.env.OFFTHEGRID_BUILD_PULUMI === "1") return undefined;
  const found = realPulumiOnPath();
  if (!found) return undefined;
  const version = spawnSync(found, ["version"], { encoding: "utf8" }).stdout.trim();
  return newerOrEqual(version, CLI_VERSION) ? { pulumi: found, binDir: path.dirname(found) } : undefined;
}

/** Keyed by what goes into the build, so a change to the wrapper module or the host rebuilds. */
function cacheDir(): string {
  const hash = createHash("sha256");
  for (const f of ["VERSION", "go.mod", "go.sum", "build.sh", "language-nodejs/main.go"]) {
    hash.update(fs.readFileSync(path.join(ENGINE_DIR, f)));
  }
  const base =
    process.env.OFFTHEGRID_ENGINE_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "offthegrid", "pulumi-engine");
  return path.join(base, `v${CLI_VERSION}-${hash.digest("hex").slice(0, 12)}`);
}

/** The CLI when there is one already (on PATH, or built and cached), without building it. */
export function existingEngine(): Engine | undefined {
  const onPath = pulumiOnPath();
  if (onPath) return onPath;
  const dir = cacheDir();
  const engine = { pulumi: path.join(dir, "pulumi"), binDir: dir };
  return fs.existsSync(engine.pulumi) ? engine : undefined;
}

export function locateEngine(): Engine {
  const existing = existingEngine();
  if (existing) return existing;
  const dir = cacheDir();
  const engine = { pulumi: path.join(dir, "pulumi"), binDir: dir };
  return withBuildLock(`${dir}.lock`, () => {
    if (!fs.existsSync(engine.pulumi)) {
      execFileSync("bash", [path.join(ENGINE_DIR, "build.sh"), dir], {
        stdio: ["ignore", process.stderr, process.stderr],
      });
    }
    return engine;
  });
}

/** The installed version of an `@pulumi/<name>` SDK package. */
export function packageVersion(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", name, "package.json"), "utf8"))
    .version;
}

/** `plugins/resource-<name>-v<version>/pulumi-resource-<name>`: where the CLI looks before any download. */
export function installStandins(home: string): void {
  const register = path.join(ROOT, "tools", "ts-register.cjs");
  for (const name of STANDINS) {
    const dir = path.join(home, "plugins", `resource-${name}-v${packageVersion(name)}`);
    const script = path.join(dir, `pulumi-resource-${name}`);
    const body =
      "#!/bin/sh\n# Stand-in provider plugin for the test suite (testbed/standins).\n" +
      `exec node -r '${register}' '${path.join(ROOT, "testbed", "standins", `${name}.ts`)}' "$@"\n`;
    if (fs.existsSync(script) && fs.readFileSync(script, "utf8") === body) continue;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(script, body, { mode: 0o755 });
  }
}

export function defaultHome(): string {
  return process.env.OFFTHEGRID_PULUMI_HOME ?? path.join(ROOT, ".pulumi-test-home");
}

/** The environment every CLI call gets: the suite's home, no downloads, no update checks. */
export function engineEnv(
  engine: Engine,
  home: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const nodeBin = path.join(ROOT, "node_modules", ".bin");
  return {
    ...base,
    PULUMI_HOME: home,
    PATH: [engine.binDir, nodeBin, base.PATH ?? ""].join(path.delimiter),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}
