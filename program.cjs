// The Pulumi program's entry (package.json "main"; Pulumi.yaml runtime option typescript: false): index.ts
// and everything it imports run through esbuild with a disk cache (tools/ts-register.cjs) instead of the
// language host's ts-node, which loaded the TypeScript compiler and transpiled every module on each preview.
// The hook must be in place before Node's own handling of .ts files (type stripping, which cannot resolve the
// program's extensionless imports) sees index.ts.
"use strict";
require("./tools/ts-register.cjs");
// The language host installs source-map-support, whose stack traces never used Node's own source maps (a
// program error points at the transpiled line either way), so parsing each module's map on load was pure
// cost: ~0.1-0.3 s of every preview.
process.setSourceMapsEnabled(false);
module.exports = require("./index.ts");
