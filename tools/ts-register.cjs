// `node -r ./tools/ts-register.cjs file.ts`: how the repository's own TypeScript runs (mocha, the npm
// scripts, the test rig's stand-in plugins and the traffic harness). esbuild strips the types (CommonJS,
// ES2022, strict, class fields defined as tsc does for ES2022); `npm run typecheck` does the type checking.
// Each source text is transpiled once and kept under node_modules/.cache: the suite starts hundreds of
// short-lived processes, and a process whose sources are all cached never starts esbuild's service. Not
// esbuild-register: it has no cache and also hooks every .js file. The Pulumi program runs through it too
// (program.cjs).
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
// Stack traces point at the .ts lines (the inline source maps below).
process.setSourceMapsEnabled(true);
const cacheDir = path.join(root, "node_modules", ".cache", "offthegrid-esbuild");
// V8's code cache for every module loaded after this point (Node 22.1+; older Node skips it): compiling the
// program's modules and the provider SDKs was the largest single cost of a preview's evaluation after the
// closure serialization (docs/benchmarks.md). Beside the esbuild cache, as trusted as node_modules itself.
require("node:module").enableCompileCache?.(path.join(root, "node_modules", ".cache", "offthegrid-v8"));
const OPTIONS = {
  loader: "ts",
  format: "cjs",
  target: "es2022",
  // `await import("./x")` becomes a require, as tsc emits it for CommonJS: Node's own import() cannot resolve
  // an extensionless .ts path.
  supported: { "dynamic-import": false },
  sourcemap: "inline",
  sourcesContent: false,
  tsconfigRaw: { compilerOptions: { alwaysStrict: true, useDefineForClassFields: true } },
};
let salt;

require.extensions[".ts"] = function (module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  // esbuild's version and the options are part of the key; the version is read without loading esbuild.
  salt ??=
    JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json"), "utf8")).version +
    JSON.stringify(OPTIONS);
  const key = crypto.createHash("sha256").update(`${salt}\0${filename}\0`).update(source);
  const file = path.join(cacheDir, `${key.digest("hex").slice(0, 40)}.js`);
  let output;
  try {
    output = fs.readFileSync(file, "utf8");
  } catch {
    output = require("esbuild").transformSync(source, { ...OPTIONS, sourcefile: filename }).code;
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
