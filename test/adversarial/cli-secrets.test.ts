// A connection URL typed in the wrong place was printed back, password included
// (`offthegrid-migrate status postgresql://user:pw@host/db`, `npm run traffic -- postgresql://…`). The probes
// are generated from the programs' own command tables, so a command or flag added later is probed too: every
// command of both ops CLIs, policy:check and the traffic harness gets a URL with a password of its own as a
// positional argument and as the value of every flag it declares, run as its own process (stdout and stderr
// both read).
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { program as db } from "../../cli/db";
import { program as migrate } from "../../cli/migrate";
import { policyCheck } from "../../testbed/policy-check";
import { flagsOf } from "../../cli/shared/usage";
import type { CommandSpec, Program } from "../../cli/shared/program";
import { ROOT } from "../../testbed/stack";
import { traffic } from "../../testbed/traffic/main";

/**
 * The commands' own environment: unreachable servers, so that commands get past "is not set" and use the
 * flags.
 */
const ENV_PASSWORD = "env-Pw-3b9e1d";
const ENV = {
  DATABASE_URL: `postgresql://probe:${ENV_PASSWORD}@127.0.0.1:1/probe`,
  ADMIN_DATABASE_URL: `postgresql://probe:${ENV_PASSWORD}@127.0.0.1:1/probe`,
  REDIS_URL: `redis://probe:${ENV_PASSWORD}@127.0.0.1:1/0`,
  REDIS_ADMIN_URL: `redis://probe:${ENV_PASSWORD}@127.0.0.1:1/0`,
};
const SCHEMES = ["postgresql", "postgres", "redis", "rediss"];
/** `restore FILE`: a real (empty) Redis backup with its checksum, so the probe gets as far as connecting. */
const BACKUP = "redis_backup_20260101_000000.jsonl";
/** `npm run traffic -- --outputs FILE`: the stack outputs it reads, naming the same unreachable servers. */
const OUTPUTS = "outputs.json";
const OUTPUTS_JSON = {
  postgresUrls: { app: ENV.DATABASE_URL, readonly: ENV.DATABASE_URL },
  redisUrls: { app: ENV.REDIS_URL },
};

interface Entry {
  readonly label: string;
  /** The process to start, before the arguments. */
  readonly command: readonly string[];
  readonly program?: Program;
  readonly commands: readonly CommandSpec[];
  /** Arguments that take the probe further (policy:check needs a stack to read a CA bundle for). */
  readonly base?: readonly string[];
  readonly env?: Record<string, string>;
}

const tsEntry = (file: string) => [
  process.execPath,
  "-r",
  path.join(ROOT, "tools", "ts-register.cjs"),
  path.join(ROOT, file),
];
const ENTRIES: Entry[] = [
  ...[migrate, db].map((program) => ({
    label: program.name,
    command: [path.join(ROOT, "node_modules", ".bin", program.name)],
    program,
    commands: program.commands,
    env: ENV,
  })),
  // Unreachable targets and a short run: `--ledger-out URL` gets as far as writing the ledger.
  {
    label: "npm run traffic",
    command: tsEntry("testbed/traffic/main.ts"),
    commands: [traffic],
    base: ["--outputs", OUTPUTS, "--duration", "0.2"],
  },
  {
    label: "npm run policy:check",
    command: tsEntry("testbed/policy-check.ts"),
    commands: [policyCheck],
    base: ["--stack", "prod"],
  },
];

interface Probe {
  readonly entry: Entry;
  readonly command: CommandSpec;
  readonly what: string;
  readonly argv: string[];
  readonly password: string;
}

/** Required positionals (restore FILE) get a real value, so that the flags are what is probed. */
function placeholders(command: CommandSpec): string[] {
  return (command.args ?? []).filter((a) => !a.startsWith("[")).map(() => BACKUP);
}

/** The entry's base arguments, less the one the probe gives itself (policy:check --stack URL). */
const baseWithout = (entry: Entry, flag?: string) =>
  (entry.base ?? []).filter((a, i, b) => a !== flag && b[i - 1] !== flag);

function probes(): Probe[] {
  const all: Probe[] = [];
  for (const entry of ENTRIES)
    for (const command of entry.commands) {
      const words = entry.program ? [command.name] : [];
      const add = (what: string, argv: (url: string) => string[]) => {
        const n = all.length + 1;
        const password = `argv-Pw-${n}-${Math.random().toString(36).slice(2, 8)}`;
        // Both places a URL carries a password: user:password@, and a password= parameter.
        const at = `127.0.0.1:1/probe?sslmode=disable`;
        const url = `${SCHEMES[n % SCHEMES.length]}://${n % 3 ? `probe:${password}@${at}` : `probe@${at}&password=${password}`}`;
        all.push({ entry, command, what, argv: [...words, ...argv(url)], password });
      };
      add("as a positional argument", (url) => [...baseWithout(entry), url]);
      for (const flag of flagsOf(command, entry.program?.common).filter((f) => f.name !== "--help"))
        add(flag.value ? `as ${flag.name}'s value` : `as ${flag.name}=…`, (url) => [
          ...placeholders(command),
          ...baseWithout(entry, flag.name),
          ...(flag.value ? [flag.name, url] : [`${flag.name}=${url}`]),
        ]);
    }
  return all;
}

interface Run {
  readonly code: number | null;
  readonly output: string;
}

function run(probe: Probe, cwd: string): Promise<Run> {
  const [file, ...args] = probe.entry.command;
  const env: NodeJS.ProcessEnv = { ...process.env, ...probe.entry.env };
  for (const name of ["DATABASE_URL", "READONLY_DATABASE_URL", "REDIS_URL"])
    if (!probe.entry.env?.[name]) delete env[name];
  // A set variable wins over --stack: without them the probe's stack name reaches `pulumi` and its errors.
  if (probe.entry.program && probe.argv.includes("--stack"))
    for (const name of Object.keys(ENV)) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args, ...probe.argv], { cwd, env });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

describe("no password of a URL given on the command line is printed back", function () {
  this.timeout(600_000);
  const all = probes();
  const runs = new Map<Probe, Run>();
  let cwd: string;

  before(async () => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), "offthegrid-cli-secrets-"));
    fs.writeFileSync(path.join(cwd, OUTPUTS), JSON.stringify(OUTPUTS_JSON));
    fs.writeFileSync(path.join(cwd, BACKUP), "");
    const sum = createHash("sha256").update("").digest("hex");
    fs.writeFileSync(path.join(cwd, `${BACKUP}.sha256`), `${sum}  ${BACKUP}\n`);
    // Two at a time: the machine is shared.
    const queue = [...all];
    const worker = async () => {
      for (let probe = queue.shift(); probe; probe = queue.shift()) runs.set(probe, await run(probe, cwd));
    };
    await Promise.all([worker(), worker()]);
  });
  after(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it("probes every command of both CLIs, policy:check and the traffic harness", () => {
    const probed = new Set(all.map((p) => p.command));
    for (const entry of ENTRIES) for (const c of entry.commands) assert.ok(probed.has(c), c.name);
    assert.equal(ENTRIES.flatMap((e) => e.commands).length, 17);
    assert.ok(all.length > 80, `${all.length} probes`);
  });

  for (const probe of all)
    it(`${probe.entry.label}${probe.entry.program ? ` ${probe.command.name}` : ""}, ${probe.what}`, () => {
      const { code, output } = runs.get(probe)!;
      if (process.env.CLI_SECRETS_SHOW) console.log(`--- ${probe.argv.join(" ")} → ${code}\n${output}`);
      assert.match(output, /^error: /m, `exit ${code}: the probe did not reach the command's error report`);
      assert.ok(!output.includes(probe.password), `exit ${code}, printed the password:\n${output}`);
      assert.ok(
        !output.includes(ENV_PASSWORD),
        `exit ${code}, printed the environment's password:\n${output}`,
      );
    });
});
