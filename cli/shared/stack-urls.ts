// `--stack NAME`: a command's connection URLs from that stack's outputs (`pulumi stack output
// --show-secrets`), each command naming the role it needs, so nobody copies an owner's URL into a shell to
// run a health check. Variables that are set still win: the stack fills only what the environment leaves
// empty.
import { withDevPassphrase, findProjectRoot } from "./dev-files";
import { checkoutRoot } from "./root";
import { pulumiOk } from "./pulumi";
import { Command, Flag, UsageError } from "./command";
import type { Io } from "./io";

/** Environment variable → dotted path in the stack outputs, e.g. { DATABASE_URL: "postgresUrls.owner" }. */
export type UrlPlan = Readonly<Record<string, string>>;

export const STACK_FLAG: Flag = {
  name: "--stack",
  value: "NAME",
  help: "take the URLs this command needs from the stack's outputs (the `pulumi` on PATH); set variables win",
};

function at(outputs: unknown, dotted: string): unknown {
  return dotted
    .split(".")
    .reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as never)[key] : undefined), outputs);
}

/** The plan's URLs, read from `outputs`; a missing one is named with the output it should have come from. */
export function urlsFromOutputs(outputs: unknown, plan: UrlPlan, stack: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(plan).map(([variable, dotted]) => {
      const value = at(outputs, dotted);
      if (typeof value !== "string" || !value)
        throw new UsageError(
          `stack "${stack}" has no output ${dotted} (for ${variable}): run \`pulumi up\` on it, or set ${variable}`,
        );
      return [variable, value];
    }),
  );
}

/** The environment a command runs with: the stack's URLs under every variable that is set and not empty. */
export function mergedEnvironment(
  fromStack: Record<string, string>,
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  return { ...env, ...fromStack, ...set };
}

export async function stackOutputs(
  stack: string,
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<unknown> {
  // The project around the current folder, else the checkout this CLI belongs to (a bin run from elsewhere).
  const root = findProjectRoot() ?? findProjectRoot(checkoutRoot());
  if (!root)
    throw new UsageError("--stack needs the project: run from the checkout (the folder with Pulumi.yaml)");
  io.err(`reading the URLs from stack "${stack}" (pulumi stack output)…`);
  const { stdout } = await pulumiOk(["stack", "output", "--show-secrets", "--json", "--stack", stack], {
    cwd: root,
    env: withDevPassphrase(root, env),
  });
  return JSON.parse(stdout);
}

/**
 * The command with `--stack NAME`: with it, the URLs in `plan` come from the stack unless their variable is
 * set.
 */
export function withStack(command: Command, plan: UrlPlan): Command {
  return {
    ...command,
    flags: [...(command.flags ?? []), STACK_FLAG],
    async run(args, io) {
      const stack = args.value("--stack");
      if (!stack) return command.run(args, io);
      const needed = Object.fromEntries(Object.entries(plan).filter(([v]) => !process.env[v]));
      const outputs = Object.keys(needed).length ? await stackOutputs(stack, io) : {};
      const env = mergedEnvironment(urlsFromOutputs(outputs, needed, stack), process.env);
      return command.run({ ...args, env }, io);
    },
  };
}
