// Where `npm run dev` keeps this machine's dev settings, all git-ignored (.gitignore: /.dev/, /.env): the
// file backend's state, the generated passphrase, and the dev stack's config file. Pulumi reads that file
// instead of the committed Pulumi.dev.yaml (`--config-file`), because `stack init`, `config set` and every
// save of the encryption salt rewrite the stack file they read: per-developer values (host ports, the salt)
// must not edit a committed file.
import * as fs from "node:fs";
import * as path from "node:path";

export interface DevFiles {
  /** The project folder (holds Pulumi.yaml). */
  readonly root: string;
  readonly dir: string;
  /** `file://` backend used when no backend is logged in. */
  readonly state: string;
  /** Made when neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set. */
  readonly passphrase: string;
  /** The dev stack's config as Pulumi reads it: the committed Pulumi.dev.yaml plus this machine's values. */
  readonly stackConfig: string;
  /** What the app reads: its own URLs, never the owner's or an admin's. */
  readonly envFile: string;
}

export function devFiles(root: string): DevFiles {
  const dir = path.join(root, ".dev");
  return {
    root,
    dir,
    state: path.join(dir, "state"),
    passphrase: path.join(dir, "passphrase"),
    stackConfig: path.join(dir, "Pulumi.dev.yaml"),
    envFile: path.join(root, ".env"),
  };
}

/** The nearest folder at or above `from` with a Pulumi.yaml: where `pulumi` finds the project. */
export function findProjectRoot(from = process.cwd()): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

/**
 * The environment for a `pulumi` child: when no passphrase is configured and this project has the one `npm
 * run dev` made, that file, so that `--stack dev` works in a new shell without exporting anything.
 */
export function withDevPassphrase(root: string | undefined, env: NodeJS.ProcessEnv = process.env) {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE || !root) return env;
  const file = devFiles(root).passphrase;
  return fs.existsSync(file) ? { ...env, PULUMI_CONFIG_PASSPHRASE_FILE: file } : env;
}
