// The steps of `npm run dev`, each with a progress line before it starts, against the `pulumi` on PATH:
// backend, passphrase, stack, host ports, up, outputs. Nothing here writes a committed file: the stack's
// config is .dev/Pulumi.dev.yaml (`--config-file`), and the stack is created from a scratch copy of
// Pulumi.yaml, because `pulumi stack init` saves the new encryption salt into the Pulumi.<stack>.yaml beside
// the Pulumi.yaml it finds (and has no --config-file).
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DevFiles } from "../shared/dev-files";
import type { Io } from "../shared/io";
import { PulumiResult, pulumiOk, runPulumi } from "../shared/pulumi";
import { configValue, key, mergeStackConfig } from "./stack-config";
import { pickPort } from "./ports";

export const STACK = "dev";
/** No step stays silent longer than this. */
const QUIET_MS = 2_000;
const PORTS = [
  { name: "postgresHostPort", service: "PostgreSQL", preferred: 5432 },
  { name: "redisHostPort", service: "Redis", preferred: 6379 },
  { name: "redisCacheHostPort", service: "Redis cache", preferred: 6380 },
] as const;

export class DevSession {
  env: NodeJS.ProcessEnv;

  constructor(
    readonly files: DevFiles,
    readonly io: Io,
    base: NodeJS.ProcessEnv = process.env,
  ) {
    // A stack made from the scratch copy has its salt in the state only: read it from there, and save it into
    // .dev/Pulumi.dev.yaml (PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER, pulumi's sdk/go/common/env/env.go).
    this.env = { ...base, PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true" };
  }

  step(text: string): void {
    this.io.err(`▸ ${text}`);
  }

  /**
   * Every pulumi call: when nothing has been printed for two seconds (a backend lock, a slow plugin start), a
   * line says what is still running and for how long.
   */
  private async pulumi(args: string[], stream = false, cwd = this.files.root): Promise<PulumiResult> {
    const started = Date.now();
    let quietSince = started;
    const timer = setInterval(() => {
      if (Date.now() - quietSince < QUIET_MS) return;
      this.io.err(
        `    … still running \`pulumi ${args[0]}\` (${Math.round((Date.now() - started) / 1000)} s)`,
      );
      quietSince = Date.now();
    }, 500);
    try {
      return await pulumiOk(args, {
        cwd,
        env: this.env,
        onLine: (line) => {
          quietSince = Date.now();
          if (stream) this.io.err(`    ${line}`);
        },
      });
    } finally {
      clearInterval(timer);
    }
  }

  private rel(file: string): string {
    return path.relative(this.files.root, file) || ".";
  }

  async checkCli(): Promise<void> {
    const { stdout } = await this.pulumi(["version"]);
    this.step(`pulumi ${stdout.trim()} (the one on PATH)`);
  }

  /** A backend the user is logged in to is used as is; with none, a file backend inside the project. */
  async ensureBackend(): Promise<void> {
    if (this.env.PULUMI_BACKEND_URL)
      return this.step(`backend: ${this.env.PULUMI_BACKEND_URL} (PULUMI_BACKEND_URL)`);
    this.step("backend: asking `pulumi whoami`");
    const who = await runPulumi(["whoami", "--verbose"], { cwd: this.files.root, env: this.env });
    if (who.code === 0) {
      const url = /Backend URL:\s*(\S+)/.exec(who.stdout)?.[1] ?? "the one logged in";
      return this.step(`backend: ${url}`);
    }
    fs.mkdirSync(this.files.state, { recursive: true, mode: 0o700 });
    this.step(`backend: none logged in, so a local one in ${this.rel(this.files.state)}/ (git-ignored)`);
    await this.pulumi(["login", `file://${this.files.state}`]);
  }

  /** PULUMI_CONFIG_PASSPHRASE(_FILE) when set; else .dev/passphrase, made once (0600). */
  ensurePassphrase(): void {
    if (this.env.PULUMI_CONFIG_PASSPHRASE !== undefined || this.env.PULUMI_CONFIG_PASSPHRASE_FILE) return;
    const file = this.files.passphrase;
    if (!fs.existsSync(file)) {
      fs.writeFileSync(file, `${randomBytes(24).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
      this.step(
        `passphrase: none set, so made ${this.rel(file)} (0600, git-ignored); the dev stack's secrets are ` +
          "encrypted with it: keep it, or set PULUMI_CONFIG_PASSPHRASE_FILE to it in other shells",
      );
    } else this.step(`passphrase: ${this.rel(file)}`);
    this.env = { ...this.env, PULUMI_CONFIG_PASSPHRASE_FILE: file };
  }

  async stackExists(): Promise<boolean> {
    const { stdout } = await this.pulumi(["stack", "ls", "--json"]);
    const stacks: { name: string }[] = JSON.parse(stdout || "[]");
    return stacks.some((s) => s.name === STACK || s.name.endsWith(`/${STACK}`));
  }

  async ensureStack(): Promise<void> {
    this.step(`stack "${STACK}": looking it up`);
    if (await this.stackExists()) return;
    const scratch = path.join(this.files.dir, "stack-init");
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.mkdirSync(scratch, { recursive: true });
    fs.copyFileSync(path.join(this.files.root, "Pulumi.yaml"), path.join(scratch, "Pulumi.yaml"));
    this.step(`stack "${STACK}": creating it`);
    await this.pulumi(["stack", "init", STACK, "--no-select"], false, scratch);
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  /** Writes .dev/Pulumi.dev.yaml: the committed keys, plus host ports picked here the first time. */
  async writeStackConfig(): Promise<void> {
    const committed = fs.readFileSync(path.join(this.files.root, `Pulumi.${STACK}.yaml`), "utf8");
    const local = fs.existsSync(this.files.stackConfig)
      ? fs.readFileSync(this.files.stackConfig, "utf8")
      : undefined;
    const picked: Record<string, string> = {};
    const configured = (p: (typeof PORTS)[number]) =>
      configValue(committed, p.name) ?? configValue(local, p.name);
    // Another service's default, or a port one already has, is never picked for this one.
    const taken = new Set<number>(PORTS.map((p) => Number(configured(p) ?? p.preferred)));
    for (const p of PORTS) {
      const set = configured(p);
      if (set) {
        this.step(`${p.service}: 127.0.0.1:${set}`);
        continue;
      }
      taken.delete(p.preferred);
      const { port, moved } = await pickPort(p.preferred, taken);
      taken.add(port);
      picked[key(p.name)] = String(port);
      this.step(
        moved
          ? `${p.service}: ${p.preferred} is taken, so 127.0.0.1:${port} (kept in ${this.rel(this.files.stackConfig)})`
          : `${p.service}: 127.0.0.1:${port}`,
      );
    }
    fs.writeFileSync(this.files.stackConfig, mergeStackConfig(committed, local, picked), { mode: 0o600 });
  }

  private stackArgs(): string[] {
    return ["--stack", STACK, "--config-file", this.files.stackConfig];
  }

  async up(): Promise<void> {
    this.step(
      "pulumi up: containers, then the schema (minutes the first time; a no-op when nothing changed)",
    );
    await this.pulumi(["up", "--yes", "--skip-preview", "--color", "never", ...this.stackArgs()], true);
  }

  async down(): Promise<void> {
    this.step("pulumi destroy: stops the containers; the data volumes stay for the next `npm run dev`");
    await this.pulumi(["destroy", "--yes", "--skip-preview", "--color", "never", ...this.stackArgs()], true);
  }

  async outputs(): Promise<unknown> {
    this.step("reading the stack outputs");
    const { stdout } = await this.pulumi(["stack", "output", "--show-secrets", "--json", "--stack", STACK]);
    return JSON.parse(stdout);
  }
}
