// Helpers for timing whole processes, as a user runs them: our compiled CLI, node-pg-migrate's CLI and psql.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MigrationSource, loadMigrations, renderSumFile } from "../../migrator";
import { ROOT } from "../root";

export { ROOT };

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The `offthegrid-migrate` bin when the package declares one (compiled by `npm run prepare`), else
 * cli/migrate.ts compiled with tsc into node_modules/.cache (inside the checkout, so `require("pg")` resolves
 * as installed).
 */
export function compiledMigrateCli(): { command: string; args: string[]; how: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const declared = typeof pkg.bin === "object" ? pkg.bin["offthegrid-migrate"] : undefined;
  if (declared && fs.existsSync(path.join(ROOT, declared))) {
    return { command: process.execPath, args: [path.join(ROOT, declared)], how: `bin ${declared}` };
  }
  const out = path.join(ROOT, "node_modules", ".cache", "offthegrid-bench");
  fs.rmSync(out, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc"),
      "--outDir",
      out,
      "--rootDir",
      ROOT,
      "--target",
      "ES2022",
      "--module",
      "commonjs",
      "--esModuleInterop",
      "--skipLibCheck",
      "--types",
      "node",
      path.join(ROOT, "cli", "migrate.ts"),
    ],
    { encoding: "utf8" },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  return {
    command: process.execPath,
    args: [path.join(out, "cli", "migrate.js")],
    how: "cli/migrate.ts compiled with tsc",
  };
}

export interface Command {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Wall time of one whole process, from spawn to exit; throws with its output if it fails. */
export function timeProcess(c: Command): number {
  const start = performance.now();
  const r = spawnSync(c.command, c.args, {
    env: { ...process.env, ...c.env },
    cwd: c.cwd ?? ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  if (r.status !== 0)
    throw new Error(`${c.command} ${c.args.join(" ")} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return ms;
}

/** A directory of our migration files plus their migrations.sum, as `migrate up --dir` expects. */
export function writeOurDir(sources: readonly MigrationSource[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ours-"));
  for (const s of sources) fs.writeFileSync(path.join(dir, s.name), s.sql);
  fs.writeFileSync(path.join(dir, "migrations.sum"), renderSumFile(loadMigrations(sources)));
  return dir;
}

/** node-pg-migrate's SQL format: the same statements under its own markers. */
export function writeNodePgMigrateDir(sources: readonly MigrationSource[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-npm-"));
  for (const m of loadMigrations(sources)) {
    fs.writeFileSync(
      path.join(dir, m.name),
      `-- Up Migration\n${m.up}\n-- Down Migration\n${m.down ?? ""}\n`,
    );
  }
  return dir;
}

/**
 * The up sections alone, one file each, for `psql -1 -f …` (psql would otherwise run the down sections too).
 */
export function writePsqlFiles(sources: readonly MigrationSource[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-psql-"));
  return loadMigrations(sources).map((m) => {
    const file = path.join(dir, m.name);
    fs.writeFileSync(file, m.up);
    return file;
  });
}

export function trivialMigrations(count: number): MigrationSource[] {
  return Array.from({ length: count }, (_, k) => ({
    name: `${String(k + 1).padStart(4, "0")}_t${k + 1}.sql`,
    sql: `-- migrate:up\nCREATE TABLE t${k + 1} (id integer);\n-- migrate:down\nDROP TABLE t${k + 1};\n`,
  }));
}

export interface Pair {
  readonly label: string;
  readonly ours: number;
  readonly theirs: number;
  readonly theirName: string;
  readonly goal?: string;
}

export function table(title: string, rows: readonly Pair[]): string {
  const lines = [
    `### ${title}`,
    "",
    "| run | ours | other | other's time | ratio (ours / other) | goal |",
    "| --- | ---: | --- | ---: | ---: | --- |",
    ...rows.map(
      (r) =>
        `| ${r.label} | ${(r.ours / 1000).toFixed(3)} s | ${r.theirName} | ${(r.theirs / 1000).toFixed(3)} s | ` +
        `${(r.ours / r.theirs).toFixed(2)}× | ${r.goal ?? ""} |`,
    ),
  ];
  return lines.join("\n");
}
