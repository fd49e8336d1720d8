// Every command the README and docs/ tell a user to type, checked against what the code and the tools
// accept: each line of a fenced bash block and each inline span that runs a command, taken apart into its
// simple commands (`$(…)`, `&&`, `|`). The project's own CLIs run for real, in-process, with every
// connection URL unset: a line passes when the CLI accepts it up to the point where it needs the database
// (an "is not set" usage error, which the doc's own `VAR=…` supplies) or finishes; an unknown or refused
// flag, a wrong argument count or an unknown command fails. `npm run X` must be a script; `policy:check
// --stack S` must find its stack file; `pulumi …` is parsed against the real CLI's help and `pulumi config
// set K` must name a key of the key table. Every other program is checked against its own help
// (test/support/tool-flags.ts); `export` must set a variable a documented program reads. A program with no
// checker fails the test.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { program as db } from "../../cli/db";
import { program as migrate } from "../../cli/migrate";
import { stackFile } from "../../testbed/policy-check";
import { Program, runProgram } from "../../cli/shared/program";
import { keys } from "../../stack/config/keys";
import { ROOT } from "../../testbed/stack";
import { dev } from "../../cli/dev";
import { parseCommandLine } from "../../cli/shared/command-line";
import { pulumiLineProblem, pulumiReads } from "../support/pulumi-flags";
import { simpleCommands } from "../support/shell-line";
import { TOOLS } from "../support/tool-flags";
import { docFiles, documentedLines } from "../support/doc-lines";
import { fencedBlocks, inlineSpans } from "../support/markdown";

/**
 * npm's own commands in the docs: `npm ci` reinstalls node_modules (CI runs it); `npm test` is the script.
 */
const NPM_COMMANDS: Record<string, string> = {
  ci: "reinstalls node_modules: .ci/run runs it",
  test: "script",
};

/** Lines the docs show on purpose as refused (security.md's adversarial table): they must stay refused. */
const DOCUMENTED_REFUSALS = [
  "npm run db -- health --database-url postgresql://u:pw@…",
  "npm run migrate -- down 9",
];

const CLIS: Record<string, Program> = { db, migrate, "offthegrid-db": db, "offthegrid-migrate": migrate };
const URL_VARS = [
  "DATABASE_URL",
  "ADMIN_DATABASE_URL",
  "REDIS_URL",
  "REDIS_ADMIN_URL",
  "READONLY_DATABASE_URL",
];
const scripts: Record<string, string> = JSON.parse(
  fs.readFileSync(path.join(ROOT, "package.json"), "utf8"),
).scripts;

/** A synopsis (`down [N]`, `restore FILE`, `<command>`, `health / metrics`), not a command to type. */
const isSynopsis = (argv: string[]) =>
  argv.some(
    (a, i) =>
      (/^[<[]|^[A-Z]+$|^\/$|\|/.test(a) && !/^[A-Z_]+=/.test(a)) ||
      // An elided positional (`restore backups/postgres_backup_….dump`); an elided flag value is still
      // checked.
      (a.includes("…") && !argv[i - 1]?.startsWith("--")),
  );

/** The first problem among the simple commands of a shell line (`a && b`, `a | b`, `$(a)` each checked). */
async function lineProblem(line: string): Promise<string | undefined> {
  for (const argv of simpleCommands(line)) {
    const problem = await check(argv);
    if (problem) return problem;
  }
  return undefined;
}

async function check(argv: string[]): Promise<string | undefined> {
  const [first, ...rest] = argv;
  if (first === "npm" && rest[0] in NPM_COMMANDS) {
    return rest[0] === "test" && !scripts.test ? "npm test: no test script" : undefined;
  }
  if (first === "npm" && rest[0] === "run") {
    const args = rest.slice(1).filter((a) => a !== "-s");
    const [script, ...after] = args;
    if (!scripts[script]) return `npm run ${script}: no such script in package.json`;
    const forwarded = after[0] === "--" ? after.slice(1) : after;
    if (CLIS[script]) return runCli(CLIS[script], forwarded);
    // `npm run dev` starts a stack (test/e2e/dev-command.test.ts runs it): here its command line is parsed
    // only.
    if (script === "dev" && !isSynopsis(forwarded)) {
      try {
        parseCommandLine(dev, forwarded);
      } catch (err) {
        return `npm run dev -- ${forwarded.join(" ")}: ${(err as Error).message}`;
      }
    }
    if (script === "policy:check" && forwarded.includes("--stack") && !isSynopsis(forwarded)) {
      try {
        stackFile(forwarded[forwarded.indexOf("--stack") + 1]);
      } catch (err) {
        return (err as Error).message;
      }
    }
    return undefined;
  }
  if (first.startsWith("node_modules/.bin/")) return check([path.basename(first), ...rest]);
  if (CLIS[first]) return runCli(CLIS[first], rest);
  if (first === "pulumi") return pulumiLine(rest);
  if (first === "export") return TOOLS.export(rest) ?? exportProblem(rest);
  if (first in TOOLS) return TOOLS[first](rest);
  return `${first}: no checker for this program (add one to TOOLS in test/support/tool-flags.ts)`;
}

/** `export NAME=value`: a shell name, and a variable a documented program reads (our CLIs or `pulumi`). */
function exportProblem(args: string[]): string | undefined {
  for (const arg of args.filter((a) => !a.startsWith("-"))) {
    const name = /^([A-Za-z_][A-Za-z0-9_]*)(?:=|$)/.exec(arg)?.[1];
    if (!name) return `export ${arg}: not a NAME=value assignment`;
    if (!cliBundle().includes(name) && !pulumiReads(name))
      return `export ${name}: neither our CLIs (build/cli/) nor the pulumi CLI read it`;
  }
  return undefined;
}

let bundle: string | undefined;
/** The compiled CLIs (`npm ci` builds them): every variable they read is named in them. */
function cliBundle(): string {
  const dir = path.join(ROOT, "build", "cli");
  bundle ??= fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".js"))
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
    .join("\n");
  return bundle;
}

/**
 * Parsed against the real CLI's flags; a run needs a stack and Docker or AWS (test/e2e runs the dev loop).
 */
function pulumiLine(rest: string[]): string | undefined {
  if (rest.length === 0) return undefined;
  const problem = pulumiLineProblem(rest);
  if (problem) return problem;
  if (rest[0] === "config" && rest[1] === "set") {
    const key = rest
      .slice(2)
      .filter((a) => !a.startsWith("-"))[0]
      ?.replace(/\[.*$/, "");
    if (key && !key.includes(":") && !(key in keys))
      return `pulumi config set ${key}: not a key of stack/config/keys.ts`;
  }
  return undefined;
}

/**
 * Parsed, not run: `--stack` asks the `pulumi` on PATH for a stack (test/e2e/dev-command.test.ts runs those),
 * and `new` writes into sql/.
 */
function parsedOnly(program: Program, argv: string[]): string | undefined {
  const command = program.commands.find((c) => c.name === argv[0]);
  if (!command || (!argv.includes("--stack") && command.name !== "new")) return undefined;
  try {
    parseCommandLine(command, argv.slice(1), program.common);
    return "";
  } catch (err) {
    return `${program.name} ${argv.join(" ")}: ${(err as Error).message}`;
  }
}

/**
 * A command that declares `--yes` is destructive: its guard refuses it at the database without `--yes` (dev)
 * or `--database NAME`, which a line run here with no URL never reaches, so the line must carry one. A bare
 * `offthegrid-migrate down` names the command in prose.
 */
function unconfirmedLine(program: Program, argv: string[]): string | undefined {
  const command = program.commands.find((c) => c.name === argv[0]);
  if (argv.length === 1 || !command?.flags?.some((f) => f.name === "--yes")) return undefined;
  if (argv.includes("--yes") || argv.includes("--database")) return undefined;
  return `${program.name} ${argv.join(" ")}: refused by its guard without --yes (dev) or --database NAME`;
}

async function runCli(program: Program, argv: string[]): Promise<string | undefined> {
  // A bare program name is prose naming the CLI; a synopsis shows placeholders.
  if (argv.length === 0 || isSynopsis(argv)) return undefined;
  const unconfirmed = unconfirmedLine(program, argv);
  if (unconfirmed) return unconfirmed;
  const parsed = parsedOnly(program, argv);
  if (parsed !== undefined) return parsed || undefined;
  const err: string[] = [];
  const code = await runProgram(program, argv, {
    out: () => undefined,
    err: (l) => err.push(l),
    progress: () => undefined,
  });
  if (code === 0 || err.some((l) => / is not set: /.test(l))) return undefined;
  return `${program.name} ${argv.join(" ")} exited ${code}: ${err.join(" ")}`;
}

describe("commands in the README and docs/", function () {
  // Each documented tool's help is a process of its own (`aws … help` alone ~0.7 s per operation): ~20 s on a
  // quiet machine, over 60 s in the full suite's parallel workers on 2 shared cores.
  this.timeout(240_000);
  const saved: Record<string, string | undefined> = {};
  before(() => {
    for (const v of URL_VARS) {
      saved[v] = process.env[v];
      delete process.env[v];
    }
  });
  after(() => {
    for (const v of URL_VARS) if (saved[v] !== undefined) process.env[v] = saved[v];
  });

  it("finds the documented commands (README quick start, migrate, ops, policy)", () => {
    const texts = documentedLines().map((l) => l.text);
    for (const expected of [
      "npm run dev",
      "pulumi up --stack dev",
      "npm run migrate -- status",
      "db -- backup --keep-days 14",
      "db -- maintenance",
    ])
      assert.ok(
        texts.some((t) => t.includes(expected)),
        expected,
      );
  });

  it("every documented command is accepted by the code or the tool it names", async () => {
    const problems: string[] = [];
    for (const line of documentedLines()) {
      const problem = await lineProblem(line.text);
      if (DOCUMENTED_REFUSALS.includes(line.text)) {
        if (!problem) problems.push(`${line.doc}: \`${line.text}\` is shown as refused but is accepted`);
      } else if (problem) problems.push(`${line.doc}: \`${line.text}\`: ${problem}`);
    }
    assert.deepEqual(problems, []);
  });

  it("the check catches what the docs got wrong before (a refused flag, unknown option, missing key)", async () => {
    assert.match(
      (await lineProblem("npm run db -- health --database-url postgresql://u@h/d")) ?? "",
      /refused|command line/,
    );
    assert.match(
      (await lineProblem("npm run migrate -- status --verbose")) ?? "",
      /unknown option --verbose/,
    );
    assert.match((await lineProblem("pulumi config set postgresHostPrt 5432")) ?? "", /not a key/);
    assert.match((await lineProblem("pulumi config set --json tags '[]'")) ?? "", /unknown flag --json/);
    assert.match(
      (await lineProblem("pulumi stack outputs --json")) ?? "",
      /unknown flag --json|not a pulumi/,
    );
    assert.match((await lineProblem("pulumi destroy --yes --keep-data")) ?? "", /unknown flag --keep-data/);
    assert.match((await lineProblem("npm run dev -- up --fast")) ?? "", /unknown option --fast/);
    assert.match((await lineProblem("npm run db -- health --stack")) ?? "", /--stack needs a value/);
    assert.match((await lineProblem("npm run policy:check -- --stack nobody")) ?? "", /No stack file/);
    assert.match((await lineProblem("rm -rf backups")) ?? "", /no checker/);
    assert.match((await lineProblem("npm run migrate -- down 1")) ?? "", /without --yes/);
  });

  it("the check catches a flag, command or variable the installed tool does not have", async () => {
    const wrong: Record<string, RegExp> = {
      "createdb --owner=x --colour drill": /createdb: unknown flag --colour/,
      "psql -1 --single-transactions -f x.sql": /psql: unknown flag --single-transactions/,
      "pg_dump --exclude-schemas=stack": /pg_dump: unknown flag --exclude-schemas/,
      "pg_restore --clean --if-exist x.dump": /pg_restore: unknown flag --if-exist/,
      "redis-cli --user admin --ask-pass": /redis-cli: unknown flag --ask-pass/,
      "jq -R -X .owner": /jq: unknown flag -X/,
      "chmod --recursiv 600 .env": /chmod: unknown flag --recursiv/,
      "git status --porcelian": /git status: unknown flag --porcelian/,
      "git stats": /not a git command/,
      "openssl req -newkey rsa:2048 -nodess": /openssl req: unknown flag -nodess/,
      "docker volume rm --purge v": /docker volume rm: unknown flag --purge/,
      "docker volume prun": /docker volume prun: not a docker command/,
      "docker restrat c": /not a docker command/,
      "aws rds delete-db-snapshot --db-snapshot-id x": /unknown flag --db-snapshot-id/,
      "aws rds delete-db-snapshots --db-snapshot-identifier x": /not an aws command/,
      "aws elasticache delete-snapshot --region r --snapshot x": /unknown flag --snapshot\b/,
      "apt-get install -y --no-recommends redis-server": /apt-get .*not understood/,
      "brew install --with-tls redis": /brew install: unknown flag --with-tls/,
      "kill -KIL 1": /kill: -KIL is not a signal/,
      "cd -Q /srv": /cd: unknown flag -Q/,
      "export PULUMI_CONFIG_PASSFRASE_FILE=x": /neither our CLIs .* nor the pulumi CLI read it/,
      "export 1X=y": /not a NAME=value/,
      "pulumi stack --show-urns | grep --only-matchin replica-": /grep: unknown flag --only-matchin/,
      'DATABASE_URL="$(pulumi stack output --json postgresUrls | jq -r --raw .owner)" npm run db -- reset --yes':
        /jq: unknown flag --raw/,
    };
    const missed: string[] = [];
    for (const [line, expected] of Object.entries(wrong)) {
      const problem = (await lineProblem(line)) ?? "(accepted)";
      if (!expected.test(problem)) missed.push(`${line}: ${problem}`);
    }
    assert.deepEqual(missed, []);
    // What the docs write is accepted, including a pipe into a tool and a tool inside `$(…)`.
    assert.equal(await lineProblem("export PULUMI_CONFIG_PASSPHRASE_FILE=$PWD/.dev/passphrase"), undefined);
    assert.equal(
      await lineProblem("aws rds delete-db-snapshot --region r --db-snapshot-identifier x"),
      undefined,
    );
  });

  it("every fenced block names its language, and shell is always `bash` (so the check sees it)", () => {
    const unlabelled: string[] = [];
    for (const doc of docFiles())
      for (const block of fencedBlocks(fs.readFileSync(path.join(ROOT, doc), "utf8")))
        if (!["bash", "text", "sql", "ts"].includes(block.language))
          unlabelled.push(`${doc}: \`\`\`${block.language} ${block.body.split("\n")[0]}`);
    assert.deepEqual(unlabelled, []);
  });

  it("every inline span that starts with an installed program is checked, or that word is prose", () => {
    const unchecked = new Set<string>();
    for (const doc of docFiles()) {
      for (const span of inlineSpans(fs.readFileSync(path.join(ROOT, doc), "utf8"))) {
        const [first, ...args] = span.trim().split(/\s+/);
        if (args.length === 0 || first in TOOLS || KNOWN_FIRST_WORDS.has(first) || PROSE_WORDS.has(first))
          continue;
        if (/^[a-z][\w.-]*$/.test(first) && installed(first)) unchecked.add(`${doc}: \`${span}\``);
      }
    }
    assert.deepEqual([...unchecked], []);
  });
});

/** First words the line check handles itself. */
const KNOWN_FIRST_WORDS = new Set(["npm", "pulumi", "offthegrid-db", "offthegrid-migrate"]);
/** Names of programs that the docs use as plain words: a redis.conf directive, SQL, a subcommand's name. */
const PROSE_WORDS = new Set([
  "timeout",
  "reset",
  "set",
  "for",
  "in",
  "then",
  "script",
  "view",
  "file",
  "if",
  "postgres",
]);

const installedCache = new Map<string, boolean>();
function installed(word: string): boolean {
  if (!installedCache.has(word))
    installedCache.set(word, spawnSync("sh", ["-c", `command -v '${word}'`]).status === 0);
  return installedCache.get(word)!;
}
