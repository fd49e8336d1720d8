// `node -r ./tools/ts-register.cjs file.ts`: how the repository's own TypeScript runs (mocha, the npm scripts, the
// test rig's stand-in plugins and the traffic harness). Each source text is transpiled once and kept under
// node_modules/.cache: the test suite starts hundreds of short-lived processes and evaluates the program afresh
// for every mocked stack, and ts-node transpiled every module again each time (test/stack/prod.test.ts: 55 s
// with ts-node, 16 s with this). Same output as ts-node's transpile-only mode with tsconfig.json (CommonJS,
// ES2022, esModuleInterop); `npm run typecheck` does the type checking. The Pulumi program under `pulumi up` is
// not run through this: the language host compiles it with ts-node, as it does for every user.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
// Stack traces point at the .ts lines (the inline source maps below).
process.setSourceMapsEnabled(true);
const cacheDir = path.join(root, "node_modules", ".cache", "offthegrid-ts");
let ts;
let salt;

function compiler() {
  ts ??= require("typescript");
  return ts;
}

function transpile(source, filename) {
  const t = compiler();
  return t.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: t.ModuleKind.CommonJS,
      target: t.ScriptTarget.ES2022,
      esModuleInterop: true,
      inlineSourceMap: true,
    },
  }).outputText;
}

require.extensions[".ts"] = function (module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  // The compiler's version is part of the key: read from its package.json, not by loading it.
  salt ??= JSON.parse(fs.readFileSync(require.resolve("typescript/package.json"), "utf8")).version;
  const key = crypto
    .createHash("sha256")
    .update(salt)
    .update("\0")
    .update(filename)
    .update("\0")
    .update(source);
  const file = path.join(cacheDir, `${key.digest("hex").slice(0, 40)}.js`);
  let output;
  try {
    output = fs.readFileSync(file, "utf8");
  } catch {
    output = transpile(source, filename);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, output);
      fs.renameSync(tmp, file);
    } catch {
      // A read-only checkout still works, only slower.
    }
  }
  module._compile(output, filename);
};
