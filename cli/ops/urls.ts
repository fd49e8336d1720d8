// Where the ops CLI takes connection URLs from: the environment, or a file named on the command line. Never
// the command line itself: argv is world-readable (ps, /proc/<pid>/cmdline) and lands in shell history.
import * as fs from "node:fs";
import { UsageError } from "./usage";

export interface UrlSource {
  /** e.g. "--database-url": refused; "--database-url-file" is the accepted form. */
  readonly flag: string;
  readonly env: string;
  readonly purpose: string;
}

/**
 * Why `--x-url URL` is refused, and what to do instead (the command-line parser refuses it with this too).
 */
export function urlOnCommandLine(source: Pick<UrlSource, "flag" | "env">): string {
  return (
    `${source.flag} is not accepted: a URL on the command line shows its password to every user (ps, /proc). ` +
    `Set ${source.env}, or put the URL in a file readable only by you and pass ${source.flag}-file FILE.`
  );
}

export function connectionUrl(
  flags: ReadonlyMap<string, string | true>,
  source: UrlSource,
  env: NodeJS.ProcessEnv | undefined = process.env,
): string {
  if (flags.has(source.flag)) throw new UsageError(urlOnCommandLine(source));
  const file = flags.get(`${source.flag}-file`);
  if (typeof file === "string") {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      throw new UsageError(
        `${source.flag}-file ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    const value = text.trim();
    if (!value || value.includes("\n"))
      throw new UsageError(`${source.flag}-file ${file} must hold exactly one URL on one line`);
    return value;
  }
  const value = env[source.env];
  if (!value)
    throw new UsageError(
      `${source.env} (or ${source.flag}-file FILE) is not set: ${source.purpose}. ` +
        "Set it, or pass --stack NAME to take it from that stack's outputs",
    );
  return value;
}

/** The same, for an optional connection (Redis in health/metrics): undefined when neither is given. */
export function optionalConnectionUrl(
  flags: ReadonlyMap<string, string | true>,
  source: UrlSource,
  env: NodeJS.ProcessEnv | undefined = process.env,
): string | undefined {
  if (!flags.has(source.flag) && !flags.has(`${source.flag}-file`) && !env[source.env]) return undefined;
  return connectionUrl(flags, source, env);
}
