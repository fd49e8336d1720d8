// The help texts, generated from the declarations: what --help shows cannot differ from what is parsed.
import type { CommandSpec, Flag, Program } from "./command";

export const HELP: Flag = { name: "--help", help: "show this help" };
const JSON_FLAG: Flag = { name: "--json", help: "print the result as JSON on stdout" };

/** Every flag a command accepts, in the order its help lists them. */
export function flagsOf(command: CommandSpec, common: readonly Flag[] = []): Flag[] {
  return [...(command.flags ?? []), ...common, ...(command.json ? [JSON_FLAG] : []), HELP];
}

function flagLine(f: Flag): string {
  const left = f.value ? `${f.name} ${f.value}` : f.name;
  return `  ${left.padEnd(28)} ${f.help}${f.env ? ` (default: $${f.env})` : ""}`;
}

export const PROGRAM_EXITS =
  "Exit codes: 0 done/healthy, 1 failed/down, 2 usage or configuration error, 3 degraded (health).";
/** For a program of one command: "3 degraded" is the ops health check's alone. */
export const COMMAND_EXITS = "Exit codes: 0 done, 1 failed, 2 usage or configuration error.";

export function programUsage(program: Program): string {
  const width = Math.max(...program.commands.map((c) => [c.name, ...(c.args ?? [])].join(" ").length));
  return [
    `${program.name}: ${program.summary}`,
    "",
    `Usage: ${program.name} <command> [options]`,
    "",
    "Commands:",
    ...program.commands.map((c) => `  ${[c.name, ...(c.args ?? [])].join(" ").padEnd(width)}  ${c.summary}`),
    "",
    `Run \`${program.name} <command> --help\` for a command's options.`,
    ...(program.notes ? ["", program.notes] : []),
    "",
    PROGRAM_EXITS,
  ].join("\n");
}

/** One command's help; `invocation` is how it is called (`offthegrid-db backup`, `npm run traffic --`). */
export function commandUsage(
  invocation: string,
  command: CommandSpec,
  common: readonly Flag[] = [],
  exits = PROGRAM_EXITS,
): string {
  return [
    `Usage: ${[invocation, ...(command.args ?? [])].join(" ")} [options]`,
    "",
    command.summary,
    "",
    "Options:",
    ...flagsOf(command, common).map(flagLine),
    ...(command.notes ? ["", command.notes] : []),
    "",
    exits,
  ].join("\n");
}
