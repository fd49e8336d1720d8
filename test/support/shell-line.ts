// A shell line from the docs, taken apart into the simple commands a shell would run: the body of each
// `$(…)`, then every part between `&&`, `||`, `|` and `;`, with redirections and leading `VAR=value`
// assignments dropped. A `<placeholder with spaces>` stays one word, so `docker restart <stack
// prefix>-redis` has one argument.

/** One word: placeholders, quoted strings and plain characters, glued as the shell would glue them. */
const WORD = /(?:<[^>\n]*>|'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"<])+/g;
const OPERATORS = new Set(["&&", "||", "|", ";"]);
// `<file` is a redirection; `<placeholder>` (it has a closing `>`) is a word.
const REDIRECTION = /^(?:\d?>>?|<(?!.*>))(.*)$/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

const unquote = (word: string) => word.replace(/^'(.*)'$|^"(.*)"$/s, "$1$2");

/** The command substitutions' bodies first, then the line's own commands; each command as its argv. */
export function simpleCommands(line: string): string[][] {
  const bodies: string[] = [];
  const outer = line.replace(/\$\(([^()]*)\)/g, (_, body: string) => {
    bodies.push(body);
    return "SUBSTITUTED";
  });
  const commands: string[][] = bodies.flatMap(simpleCommands);
  let current: string[] = [];
  const words = outer.match(WORD) ?? [];
  for (let i = 0; i < words.length; i++) {
    let word = words[i];
    const endsCommand = word.length > 1 && word.endsWith(";");
    if (endsCommand) word = word.slice(0, -1);
    if (OPERATORS.has(word)) {
      commands.push(current);
      current = [];
      continue;
    }
    const redirection = REDIRECTION.exec(word);
    if (redirection) {
      // `2>&1` and `>file` carry their target; `>> file` takes the next word.
      if (redirection[1] === "") i++;
    } else if (!(current.length === 0 && ASSIGNMENT.test(word))) current.push(unquote(word));
    if (endsCommand) {
      commands.push(current);
      current = [];
    }
  }
  commands.push(current);
  return commands.filter((c) => c.length > 0);
}
