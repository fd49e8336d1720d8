// The pure pieces of the docs check: a shell line taken apart into simple commands, and a tool's help read
// for its flags.
import { strict as assert } from "node:assert";
import { simpleCommands } from "../support/shell-line";
import { optionFlags, unknownFlag } from "../support/tool-flags";

describe("shell line: simple commands and help flags", () => {
  it("splits at &&, ||, | and ;, checks $(…) bodies, drops assignments and redirections", () => {
    assert.deepEqual(
      simpleCommands(
        'DATABASE_URL="$(pulumi stack output --json postgresUrls | jq -r .owner)" npm run db -- reset --yes',
      ),
      [
        ["pulumi", "stack", "output", "--json", "postgresUrls"],
        ["jq", "-r", ".owner"],
        ["npm", "run", "db", "--", "reset", "--yes"],
      ],
    );
    assert.deepEqual(
      simpleCommands("cd /srv && X=1 npm run -s db -- backup >> /var/log/b.log 2>&1; echo ok"),
      [
        ["cd", "/srv"],
        ["npm", "run", "-s", "db", "--", "backup"],
        ["echo", "ok"],
      ],
    );
    // A placeholder with spaces is one word, and a quoted JMESPath query stays whole.
    assert.deepEqual(simpleCommands("docker restart <stack prefix>-redis"), [
      ["docker", "restart", "<stack prefix>-redis"],
    ]);
    assert.deepEqual(simpleCommands(`aws rds x --query "A[?starts_with(B, 'c')].D" || true`), [
      ["aws", "rds", "x", "--query", "A[?starts_with(B, 'c')].D"],
      ["true"],
    ]);
  });

  it("reads flags from the help formats of the tools the docs use", () => {
    const help = [
      "  -D, --tablespace=TABLESPACE  default tablespace", // createdb
      '  -1 ("one"), --single-transaction', // psql
      "  -h <hostname>      Server hostname", // redis-cli
      "    --porcelain[=<version>]", // git
      " -newkey val   Key to generate", // openssl
      "--build, -b", // tsc --all
      "  Some prose that mentions --not-a-flag in passing.",
    ].join("\n");
    assert.deepEqual(
      [...optionFlags(help)].sort(),
      [
        "--build",
        "--porcelain",
        "--single-transaction",
        "--tablespace",
        "-1",
        "-D",
        "-b",
        "-h",
        "-newkey",
      ].sort(),
    );
    const flags = new Set(["-r", "-f", "--owner"]);
    assert.equal(unknownFlag(["-rf", "--owner=x", "drill"], flags), undefined);
    assert.equal(unknownFlag(["-rx"], flags), "-rx");
    assert.equal(unknownFlag(["--", "--anything"], flags), undefined);
    assert.equal(unknownFlag(["--colour"], flags), "--colour");
  });
});
