import { execSync } from "node:child_process";
import { keys } from "./stack/config/keys";
const files = execSync("git ls-files '*.ts' '*.cjs' '*.mjs'", { encoding: "utf8" }).split("\n").filter((f) => /^(index\.ts|stack\/|policy\/|cli\/|migrator\/|tools\/)/.test(f));
import * as fs from "node:fs";
const text = new Map(files.map((f) => [f, fs.readFileSync(f, "utf8")]));
const rows = Object.keys(keys).map((k) => { const re = new RegExp(`\\b${k}\\b`); const fs_ = files.filter((f) => re.test(text.get(f)!)); return [k, fs_.length, fs_.join(" ")] as const; });
rows.sort((a, b) => b[1] - a[1]);
for (const r of rows) console.log(r[1], r[0], r[2]);
