import * as path from "node:path";

// The one place the test bench anchors itself to the checkout; everything else joins onto these (lint forbids
// __dirname elsewhere, since a moved file silently re-anchors a relative `..`).
export const ROOT = path.resolve(__dirname, "..");
export const SQL_DIR = path.join(ROOT, "sql");
