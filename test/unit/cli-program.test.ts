import { strict as assert } from "node:assert";
import { Io } from "../../cli/shared/io";
import { Args, EXIT, Program, runProgram } from "../../cli/shared/program";

/** A program with one command that records what it was given. */
function fixture() {
  const seen: Args[] = [];
  const program: Program = {
    name: "tool",
    summary: "a test program",
    commands: [
      {
        name: "go",
        summary: "does it",
        args: ["FILE", "[N]"],
        flags: [
          { name: "--url", value: "URL", env: "TOOL_TEST_URL", help: "where" },
          { name: "--count", value: "N", help: "how many" },
          { name: "--yes", help: "confirm" },
          {
            name: "--url-arg",
            value: "URL",
            help: "refused",
            refused: "--url-arg is not accepted: use the file",
          },
        ],
        json: true,
        async run(args) {
          seen.push(args);
          if (args.has("--yes")) args.integer("--count", 1);
          return EXIT.ok;
        },
      },
    ],
  };
  return { program, seen };
}

async function run(argv: string[]) {
  const { program, seen } = fixture();
  let out = "";
  let err = "";
  const io: Io = {
    out: (l) => (out += `${l}\n`),
    err: (l) => (err += `${l}\n`),
    progress: (t) => (err += t),
  };
  const code = await runProgram(program, argv, io);
  return { code, out, err, args: seen[0] };
}

describe("CLI shape (cli/shared/program.ts)", () => {
  it("takes flags as --flag value and --flag=value, switches without a value, positionals in order", async () => {
    const r = await run(["go", "a.txt", "--url", "x://1", "--count=3", "--yes", "2"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.args.positionals, ["a.txt", "2"]);
    assert.equal(r.args.value("--url"), "x://1");
    assert.equal(r.args.integer("--count", 0), 3);
    assert.equal(r.args.has("--yes"), true);
    assert.equal(r.args.has("--json"), false);
  });

  it("falls back to the flag's environment variable", async () => {
    process.env.TOOL_TEST_URL = "env://1";
    try {
      assert.equal((await run(["go", "f"])).args.value("--url"), "env://1");
      assert.equal((await run(["go", "f", "--url", "flag://1"])).args.value("--url"), "flag://1");
    } finally {
      delete process.env.TOOL_TEST_URL;
    }
  });

  for (const [argv, message] of [
    [["go"], /"go" takes FILE \[N\], got none/],
    [["go", "a", "b", "c"], /"go" takes FILE \[N\], got a b c/],
    [
      ["go", "a", "--nope"],
      /unknown option --nope for "go"\. Options: --url, --count, --yes, --url-arg, --json, --help/,
    ],
    [["go", "a", "-x"], /unknown option -x for "go"/],
    [["go", "a", "--url-arg", "x://1"], /--url-arg is not accepted: use the file/],
    [["go", "a", "--url-arg"], /--url-arg is not accepted: use the file/],
    [["go", "a", "--url"], /--url needs a value \(URL\)/],
    [["go", "a", "--url", "--yes"], /--url needs a value/],
    [["go", "a", "--yes=1"], /--yes takes no value/],
    [["go", "a", "--yes", "--count", "x"], /--count takes a whole number >= 1, not "x"/],
    [["stop"], /unknown command "stop"\. Commands: go/],
  ] as const) {
    it(`usage error (exit 2, stderr only): ${argv.join(" ")}`, async () => {
      const r = await run([...argv]);
      assert.equal(r.code, EXIT.usage);
      assert.equal(r.out, "");
      assert.match(r.err, message);
      assert.match(r.err, /--help` for usage/);
    });
  }

  it("takes what follows -- as positionals, and -h as --help", async () => {
    const r = await run(["go", "--", "--yes", "-1"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.args.positionals, ["--yes", "-1"]);
    assert.equal(r.args.has("--yes"), false);
    assert.match((await run(["go", "-h"])).out, /^Usage: tool go FILE \[N\] \[options\]$/m);
  });

  it("prints no password of a URL it echoes, on stdout or stderr", async () => {
    const usage = await run(["stop", "postgresql://u:Secret1@h/db"]);
    assert.match(usage.err, /unknown command "stop"/);
    const echoed = await run(["go", "redis://u:Secret2@h", "x", "y"]);
    assert.match(echoed.err, /got redis:\/\/u:\*\*\*@h x y/);
    let out = "";
    const code = await runProgram(
      {
        name: "tool",
        summary: "",
        commands: [
          {
            name: "say",
            summary: "",
            args: ["[WORD...]"],
            run: async (args, io) => {
              io.out(args.positionals.join(" "));
              throw new Error(`cannot open ${args.positionals[0]}`);
            },
          },
        ],
      },
      ["say", "postgres://a:Secret3@h/d", "b", "rediss://:Secret4@h"],
      { out: (l) => (out += l), err: (l) => (out += l), progress: (t) => (out += t) },
    );
    assert.equal(code, EXIT.failed);
    assert.match(out, /^postgres:\/\/a:\*\*\*@h\/d b rediss:\/\/:\*\*\*@h/);
    assert.doesNotMatch(usage.err + echoed.err + out, /Secret/);
  });

  it("--help: program and command usage on stdout, exit 0; no arguments: usage on stderr, exit 2", async () => {
    const top = await run(["--help"]);
    assert.equal(top.code, 0);
    assert.match(top.out, /^Usage: tool <command> \[options\]$/m);
    assert.match(top.out, /^ {2}go FILE \[N\] {2}does it$/m);
    const command = await run(["go", "--help"]);
    assert.equal(command.code, 0);
    assert.match(command.out, /^Usage: tool go FILE \[N\] \[options\]$/m);
    assert.match(command.out, /--url URL +where \(default: \$TOOL_TEST_URL\)/);
    assert.match(command.out, /--json +print the result as JSON/);
    const none = await run([]);
    assert.equal(none.code, EXIT.usage);
    assert.equal(none.out, "");
    assert.match(none.err, /^Usage: tool/m);
  });

  it("maps a failing handler to exit 1 with one error line", async () => {
    const { program } = fixture();
    const failing: Program = {
      ...program,
      commands: [
        {
          ...program.commands[0],
          args: [],
          run: async () => {
            throw new Error("boom");
          },
        },
      ],
    };
    let err = "";
    const code = await runProgram(failing, ["go"], {
      out: () => undefined,
      err: (l) => (err += l),
      progress: () => undefined,
    });
    assert.equal(code, EXIT.failed);
    assert.equal(err, "error: boom");
  });
});
