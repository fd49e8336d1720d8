#!/usr/bin/env node
// `npm run dev`: from a fresh clone to a running dev stack and the app's .env, with the `pulumi` on PATH.
// `npm run dev -- down` stops it and keeps the data. Every file it writes is git-ignored (.dev/, .env); the
// steps are in cli/dev/session.ts.
import * as fs from "node:fs";
import { ENV_FROM_OUTPUTS, AppUrls, renderEnvFile, writePrivateFile } from "./dev/env-file";
import { DevSession, STACK } from "./dev/session";
import { renderTable, serviceRows } from "./dev/summary";
import { devFiles, findProjectRoot } from "./shared/dev-files";
import { Io, processIo } from "./shared/io";
import { Command, EXIT, UsageError, runCommand } from "./shared/program";
import { urlsFromOutputs } from "./shared/stack-urls";

async function up(s: DevSession): Promise<number> {
  await s.ensureBackend();
  s.ensurePassphrase();
  await s.ensureStack();
  await s.writeStackConfig();
  await s.up();
  const urls = urlsFromOutputs(await s.outputs(), ENV_FROM_OUTPUTS, STACK) as unknown as AppUrls;
  writePrivateFile(s.files.envFile, renderEnvFile(urls, STACK));
  s.step(
    ".env written (0600, git-ignored): DATABASE_URL (app), READONLY_DATABASE_URL, REDIS_URL and REDIS_CACHE_URL " +
      "(app user)",
  );
  s.step("checking each URL logs in");
  const rows = await serviceRows(urls);
  renderTable(rows).forEach((line) => s.io.out(line));
  s.io.out(
    "Owner/admin URLs for the CLIs: npm run migrate -- status --stack dev; npm run db -- health --stack dev",
  );
  return rows.every((r) => r.healthy === "yes") ? EXIT.ok : EXIT.failed;
}

async function down(s: DevSession): Promise<number> {
  await s.ensureBackend();
  s.ensurePassphrase();
  if (!(await s.stackExists())) {
    s.io.out(`no stack "${STACK}": nothing to stop`);
    return EXIT.ok;
  }
  await s.writeStackConfig();
  await s.down();
  s.io.out("stopped; data kept. `npm run dev` starts it again (and rewrites .env).");
  return EXIT.ok;
}

export const dev: Command = {
  name: "dev",
  summary:
    "start the dev stack (Docker) with the `pulumi` on PATH and write the app's .env; `down` stops it, data kept",
  args: ["[up|down]"],
  notes: [
    "Without a logged-in backend it uses a file backend in .dev/state; without PULUMI_CONFIG_PASSPHRASE(_FILE) it",
    "makes .dev/passphrase. Per-machine settings (host ports, the encryption salt) live in .dev/Pulumi.dev.yaml,",
    "never in the committed Pulumi.dev.yaml. All of .dev/ and .env are git-ignored.",
  ].join("\n"),
  async run(args, io) {
    const action = args.positionals[0] ?? "up";
    if (action !== "up" && action !== "down") throw new UsageError(`dev takes up or down, not "${action}"`);
    const root = findProjectRoot();
    if (!root) throw new UsageError("no Pulumi.yaml here or above: run `npm run dev` in the checkout");
    const files = devFiles(root);
    fs.mkdirSync(files.dir, { recursive: true, mode: 0o700 });
    const session = new DevSession(files, io);
    await session.checkCli();
    return action === "up" ? up(session) : down(session);
  },
};

export const main = (argv: readonly string[], io: Io = processIo) =>
  runCommand("npm run dev --", dev, argv, io);

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
