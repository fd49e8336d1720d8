// Where a command writes: results on stdout (so `| jq` and redirects get only them), everything else
// (progress, errors, hints) on stderr. Tests pass their own Io to capture both.
export interface Io {
  /** One line of result. */
  out(line: string): void;
  /** One line of progress or diagnostics. */
  err(line: string): void;
  /** Raw progress text (e.g. "\r" updates), no newline added. */
  progress(text: string): void;
}

export const processIo: Io = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  progress: (text) => void process.stderr.write(text),
};

/** Prints a result: the human lines, or with --json the JSON document. */
export function printResult(io: Io, json: boolean, human: readonly string[], value: unknown): void {
  if (json) io.out(JSON.stringify(value, null, 2));
  else human.forEach((line) => io.out(line));
}
