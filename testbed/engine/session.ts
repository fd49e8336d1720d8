// One user's working session with the real CLI, as the engine tests drive it: a copy of the project, a file
// backend, the suite's PULUMI_HOME and stand-in plugins, and every command typed as `npm run -s pulumi -- …`.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { containerState, removeContainer } from "../standins/docker-container";
import { copyProject } from "./project";
import type { Inputs } from "@pulumi/pulumi";
import { HOST_PORT_KEYS } from "../../stack/config/keys";
import { localKeys } from "../../stack/local/keys";
import { freePort } from "../ports";

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export const PASSPHRASE = "engine-test-passphrase";

export class EngineSession {
  readonly project: string;
  readonly home: string;
  readonly backend: string;
  readonly dockerRoot: string;

  private constructor(
    readonly base: string,
    copyCode: boolean,
  ) {
    this.project = copyProject(path.join(base, "project"), copyCode);
    this.home = path.join(base, "home");
    this.backend = path.join(base, "state");
    this.dockerRoot = path.join(base, "docker");
    fs.mkdirSync(this.backend);
  }

  /**
   * A fresh session. Its folder is traversable (0711) so PostgreSQL, run as `postgres` under root, reaches
   * its data.
   */
  static create(prefix: string, options: { copyCode?: boolean } = {}): EngineSession {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), `offthegrid-${prefix}-`));
    fs.chmodSync(base, 0o711);
    return new EngineSession(base, options.copyCode ?? false);
  }

  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OFFTHEGRID_PULUMI_HOME: this.home,
      OFFTHEGRID_STANDIN_DOCKER_ROOT: this.dockerRoot,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    };
    delete env.PULUMI_BACKEND_URL;
    delete env.PULUMI_ACCESS_TOKEN;
    return env;
  }

  /**
   * `pulumi config set` a free port for every store's host port (the config's host-port keys but the dev
   * tools'), so stacks of suites running side by side never contend for 5432, 6379 or 6380.
   */
  async freeStorePorts(): Promise<void> {
    for (const key of HOST_PORT_KEYS.filter((k) => !(k in localKeys)))
      await this.pulumi(["config", "set", key, String(await freePort())]);
  }

  /** `npm run -s pulumi -- <args>` in the project copy; rejects on a non-zero exit unless `allowFailure`. */
  pulumi(args: string[], options: { allowFailure?: boolean } = {}): Promise<RunResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn("npm", ["run", "-s", "pulumi", "--", ...args], {
        cwd: this.project,
        env: this.env,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => {
        const result = { code: code ?? -1, stdout, stderr, ms: Date.now() - started };
        if (result.code !== 0 && !options.allowFailure) {
          reject(
            new Error(
              `pulumi ${args.join(" ")} exited ${result.code}\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`,
            ),
          );
        } else resolve(result);
      });
    });
  }

  /** Stack outputs as the CLI prints them (JSON; Pulumi's loose `Inputs` type, as for mock inputs). */
  async outputs(stack: string): Promise<Inputs> {
    const { stdout } = await this.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", stack]);
    return JSON.parse(stdout);
  }

  /** The file backend's checkpoint for a stack, as stored on disk. */
  stateText(stack: string): string {
    return fs.readFileSync(
      path.join(this.backend, ".pulumi", "stacks", "offthegrid-database", `${stack}.json`),
      "utf8",
    );
  }

  /** Runs `fn` with the stand-in docker helpers pointed at this session's daemon folder. */
  async docker<T>(fn: () => Promise<T> | T): Promise<T> {
    const previous = process.env.OFFTHEGRID_STANDIN_DOCKER_ROOT;
    process.env.OFFTHEGRID_STANDIN_DOCKER_ROOT = this.dockerRoot;
    try {
      return await fn();
    } finally {
      if (previous === undefined) delete process.env.OFFTHEGRID_STANDIN_DOCKER_ROOT;
      else process.env.OFFTHEGRID_STANDIN_DOCKER_ROOT = previous;
    }
  }

  /** Stops every process a test left running and removes the session's folders. */
  async dispose(): Promise<void> {
    const containers = path.join(this.dockerRoot, "containers");
    if (fs.existsSync(containers)) {
      await this.docker(async () => {
        for (const name of fs.readdirSync(containers))
          if (containerState(name)) await removeContainer(name, 0);
      });
    }
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}
