// Every command the README and docs/ tell a user to type, checked against what the code accepts: each line of
// a fenced bash block and each inline `npm run …` / `offthegrid-…` span. The project's own CLIs run for real,
// in-process, with every connection URL unset: a line passes when the CLI accepts it up to the point where it
// needs the database (an "is not set" usage error, which the doc's own `VAR=…` supplies) or finishes; an
// unknown or refused flag, a wrong argument count or an unknown command fails. `npm run X` must be a script;
// `policy:check --stack S` must find its stack file; `pulumi config set K` must name a key of the key table.
// What cannot run here is listed below with the reason, and an unlisted program fails the test.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { program as db } from "../../cli/db";
import { program as migrate } from "../../cli/migrate";
import { stackFile } from "../../testbed/policy-check";
import { Program, runProgram } from "../../cli/shared/program";
import { keys } from "../../stack/config/keys";
import { ROOT } from "../../testbed/stack";
import { dev } from "../../cli/dev";
import { parseCommandLine } from "../../cli/shared/command-line";
import { pulumiLineProblem } from "../support/pulumi-flags";

/** Programs in the docs that this test does not run, and why. */
const NOT_RUN_HERE: Record<string, string> = {
  docker: "no Docker daemon on this machine (the engine tests use a stand-in plugin)",
  createdb: "needs a reachable PostgreSQL server named by the reader",
  export: "sets the reader's shell environment (the command after it is checked)",
  jq: "filters another command's output",
  chmod: "changes the reader's own files",
  aws: "the AWS CLI needs credentials and the stack's real account (docs/runbooks.md clean-up after a teardown)",
};

/**
 * npm's own commands in the docs: `npm ci` reinstalls node_modules (CI runs it); `npm test` is the script.
 */
const NPM_COMMANDS: Record<string, string> = {
  ci: "reinstalls node_modules: .ci/run runs it",
  test: "script",
};

/** Lines the docs show on purpose as refused (security.md's adversarial table): they must stay refused. */
const DOCUMENTED_REFUSALS = ["npm run db -- health --database-url postgresql://u:pw@…"];

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

interface Line {
  readonly doc: string;
  readonly text: string;
}

function documentedLines(): Line[] {
  const docs = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)];
  const lines: Line[] = [];
  for (const doc of docs.filter((d) => d.endsWith(".md"))) {
    const text = fs.readFileSync(path.join(ROOT, doc), "utf8");
    for (const block of text.matchAll(/^```bash\n([\s\S]*?)^```/gm))
      for (const raw of block[1].split("\n")) {
        const line = raw.replace(/\s+#.*$/, "").trim();
        if (line && !line.startsWith("#")) lines.push({ doc, text: line });
      }
    const prose = text.replace(/^```[\s\S]*?^```/gm, "");
    // Inline spans that run one of our commands, e.g. a crontab line: the command after its last `&&` or `;`.
    // `pulumi` only at the start: a quoted message ("… while pulumi ran …") mentions it in prose.
    for (const span of prose.matchAll(/`([^`\n]+)`/g)) {
      const command = span[1].split(/&&|;/).pop()!.trim();
      const ours = /(?:^|\s)(?:npm run |offthegrid-(?:db|migrate)\b)/.test(span[1]);
      if (!ours && !/^(?:[A-Z_]+=\S+\s+)*pulumi [a-z]/.test(command)) continue;
      lines.push({ doc, text: command });
    }
  }
  return lines;
}

/** A synopsis (`down [N]`, `restore FILE`, `<command>`, `health / metrics`), not a command to type. */
const isSynopsis = (argv: string[]) =>
  argv.some(
    (a, i) =>
      (/^[<[]|^[A-Z]+$|^\/$|\|/.test(a) && !/^[A-Z_]+=/.test(a)) ||
      // An elided positional (`restore backups/postgres_backup_….dump`); an elided flag value is still
      // checked.
      (a.includes("…") && !argv[i - 1]?.startsWith("--")),
  );

/** The command words of a shell line: env assignments, redirections and what follows `&&`/`|`/`>` dropped. */
function words(line: string): string[] {
  const assignments = /^(?:[A-Z_]+=(?:"(?:[^"\\]|\\.)*"|'[^']*'|<[^>]*>|\S+)\s+)+/;
  const main = line.replace(assignments, "").split(/\s(?:&&|\|\||\||>>?|2>&1)\s?/)[0];
  const tokens = main.match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
  while (/^[A-Z_]+=/.test(tokens[0] ?? "")) tokens.shift();
  return tokens.map((t) => t.replace(/^'(.*)'$|^"(.*)"$/, "$1$2"));
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
  if (first in NOT_RUN_HERE) return undefined;
  return `${first}: neither checked nor listed in NOT_RUN_HERE (with the reason it cannot run here)`;
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

async function runCli(program: Program, argv: string[]): Promise<string | undefined> {
  // A bare program name is prose naming the CLI; a synopsis shows placeholders.
  if (argv.length === 0 || isSynopsis(argv)) return undefined;
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
  this.timeout(60_000);
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

  it("every documented command is accepted by the code it names, or is listed as not runnable here", async () => {
    const problems: string[] = [];
    for (const line of documentedLines()) {
      const problem = await check(words(line.text));
      if (DOCUMENTED_REFUSALS.includes(line.text)) {
        if (!problem) problems.push(`${line.doc}: \`${line.text}\` is shown as refused but is accepted`);
      } else if (problem) problems.push(`${line.doc}: \`${line.text}\`: ${problem}`);
    }
    assert.deepEqual(problems, []);
  });

  it("the check catches what the docs got wrong before (a refused flag, an unknown option, a missing key)", async () => {
    assert.match(
      (await check(words("npm run db -- health --database-url postgresql://u@h/d"))) ?? "",
      /refused|command line/,
    );
    assert.match(
      (await check(words("npm run migrate -- status --verbose"))) ?? "",
      /unknown option --verbose/,
    );
    assert.match((await check(words("pulumi config set postgresHostPrt 5432"))) ?? "", /not a key/);
    assert.match((await check(words("pulumi config set --json tags '[]'"))) ?? "", /unknown flag --json/);
    assert.match(
      (await check(words("pulumi stack outputs --json"))) ?? "",
      /unknown flag --json|not a pulumi/,
    );
    assert.match((await check(words("pulumi destroy --yes --keep-data"))) ?? "", /unknown flag --keep-data/);
    assert.match((await check(words("npm run dev -- up --fast"))) ?? "", /unknown option --fast/);
    assert.match((await check(words("npm run db -- health --stack"))) ?? "", /--stack needs a value/);
    assert.match((await check(words("npm run policy:check -- --stack nobody"))) ?? "", /No stack file/);
    assert.match((await check(words("rm -rf backups"))) ?? "", /NOT_RUN_HERE/);
  });
});
